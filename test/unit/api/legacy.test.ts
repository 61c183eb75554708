import t from 'tap'
import { convertLegacy, isLegacyDocument, isValidName, legacyPeerName, validateResource, ValidationError } from '../../../src/api/index.js'
import { deepFreeze, expectInvalid, V3 } from './helpers.js'

const v1Peer = (metadata: Record<string, unknown>, spec: Record<string, unknown> = { asNumber: 64512 }) => ({
  apiVersion: 'v1',
  kind: 'bgpPeer',
  metadata,
  spec,
})

t.test('v1 bgpPeer → v3 BGPPeer with a deterministic name', async (t) => {
  const global = convertLegacy(deepFreeze(v1Peer({ peerIP: '10.99.0.1', scope: 'global' })))
  t.same(global, {
    apiVersion: V3,
    kind: 'BGPPeer',
    metadata: { name: 'bgppeer-global-10-99-0-1' },
    spec: { peerIP: '10.99.0.1', asNumber: 64512 },
  })
  const node = convertLegacy(v1Peer({ peerIP: 'FD99:0::1', scope: 'node', node: 'node1' }, { asNumber: '1.10' }))
  t.same(node, {
    apiVersion: V3,
    kind: 'BGPPeer',
    metadata: { name: 'bgppeer-node-node1-fd99--1' },
    spec: { node: 'node1', peerIP: 'fd99::1', asNumber: 65546 },
  })
  t.same(validateResource(node), node, 'the result is a valid v3 resource')
  t.same(validateResource(global), global)
})

t.test('v1 node → v3 Node; bare addresses become host prefixes', async (t) => {
  const cases: [Record<string, unknown>, unknown][] = [
    [{ bgp: { asNumber: 64512, ipv4Address: '10.99.0.2', ipv6Address: 'FD99::2' } },
      { bgp: { asNumber: 64512, ipv4Address: '10.99.0.2/32', ipv6Address: 'fd99::2/128' } }],
    [{ bgp: { ipv4Address: '10.99.0.2/24', ipv6Address: 'fd99::2/64' } }, { bgp: { ipv4Address: '10.99.0.2/24', ipv6Address: 'fd99::2/64' } }],
    [{ bgp: { asNumber: '0.64512' } }, { bgp: { asNumber: 64512 } }],
    [{}, {}],
    [{ bgp: {} }, {}],
  ]
  for (const [spec, want] of cases) {
    const out = convertLegacy({ apiVersion: 'v1', kind: 'node', metadata: { name: 'node1' }, spec })
    t.same(out, { apiVersion: V3, kind: 'Node', metadata: { name: 'node1' }, spec: want }, JSON.stringify(spec))
    t.same(validateResource(out), out)
  }
  t.same(convertLegacy({ apiVersion: 'v1', kind: 'node', metadata: { name: 'node1' } }).spec, {}, 'spec may be absent')
})

t.test('legacyPeerName', async (t) => {
  const cases: [['global' | 'node', string, string?], string][] = [
    [['global', '10.99.0.1'], 'bgppeer-global-10-99-0-1'],
    [['node', 'fd99::1', 'node1'], 'bgppeer-node-node1-fd99--1'],
    [['global', 'FD99:0::1'], 'bgppeer-global-fd99--1'],
    [['global', '::1'], 'bgppeer-global---1'],
    [['global', 'fd99::'], 'bgppeer-global-fd99--0'],
    [['node', '10.0.0.1', 'rack1.node1'], 'bgppeer-node-rack1.node1-10-0-0-1'],
  ]
  for (const [args, want] of cases) {
    const name = legacyPeerName(...args)
    t.equal(name, want, args.join(' '))
    t.ok(isValidName(name), `${name} is a valid resource name`)
  }
  expectInvalid(t, () => legacyPeerName('node', '10.0.0.1'), 'node', 'required for a node-scoped peer')
  expectInvalid(t, () => legacyPeerName('node', '10.0.0.1', 'Node1'), 'node', 'not a valid name')
  expectInvalid(t, () => legacyPeerName('global', '010.0.0.1'), 'peerIP', 'leading zeros')
  expectInvalid(t, () => legacyPeerName('global', '10.0.0.1:179'), 'peerIP', 'not a valid IPv4')
})

t.test('isLegacyDocument', async (t) => {
  t.equal(isLegacyDocument(v1Peer({ peerIP: '10.0.0.1', scope: 'global' })), true)
  t.equal(isLegacyDocument({ apiVersion: 'v1', kind: 'node', metadata: { name: 'n' } }), true)
  t.equal(isLegacyDocument({ apiVersion: 'v1', kind: 'ipPool', metadata: { cidr: '10.0.0.0/8' } }), true)
  t.equal(isLegacyDocument({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }), false, 'a Kubernetes Node')
  t.equal(isLegacyDocument({ apiVersion: V3, kind: 'BGPPeer' }), false)
  t.equal(isLegacyDocument({ apiVersion: 'v1' }), false)
  for (const v of [null, undefined, 'v1', [], 42]) t.equal(isLegacyDocument(v), false, JSON.stringify(v))
})

t.test('invalid v1 documents name the v1 field', async (t) => {
  const cases: [unknown, string, string][] = [
    [v1Peer({ peerIP: '10.0.0.1', scope: 'cluster' }), 'metadata.scope', 'must be one of global, node'],
    [v1Peer({ peerIP: '10.0.0.1' }), 'metadata.scope', 'required'],
    [v1Peer({ peerIP: '10.0.0.1', scope: 'node' }), 'metadata.node', 'required when scope is node'],
    [v1Peer({ peerIP: '10.0.0.1', scope: 'global', node: 'node1' }), 'metadata.node', 'must not be set when scope is global'],
    [v1Peer({ scope: 'global' }), 'metadata.peerIP', 'required'],
    [v1Peer({ peerIP: '10.0.0.01', scope: 'global' }), 'metadata.peerIP', 'leading zeros'],
    [v1Peer({ peerIP: '10.0.0.1', scope: 'node', node: 'Node_1' }), 'metadata.node', 'not a valid name'],
    [v1Peer({ peerIP: '10.0.0.1', scope: 'global', name: 'x' }), 'metadata.name', 'unknown field'],
    [v1Peer({ peerIP: '10.0.0.1', scope: 'global' }, {}), 'spec.asNumber', 'required'],
    [v1Peer({ peerIP: '10.0.0.1', scope: 'global' }, { asNumber: 0 }), 'spec.asNumber', 'between 1 and 4294967295'],
    [v1Peer({ peerIP: '10.0.0.1', scope: 'global' }, { asNumber: 1, password: 'x' }), 'spec.password', 'unknown field'],
    [{ ...v1Peer({ peerIP: '10.0.0.1', scope: 'global' }), metadata: undefined }, 'metadata', 'required'],
    [{ ...v1Peer({ peerIP: '10.0.0.1', scope: 'global' }), status: {} }, 'status', 'unknown field'],
    [{ apiVersion: 'v1', kind: 'ipPool', metadata: { cidr: '10.0.0.0/8' }, spec: {} }, 'kind', 'converting a v1 ipPool is not supported'],
    [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }, 'kind', 'expected bgpPeer or node'],
    [{ apiVersion: V3, kind: 'node', metadata: { name: 'n' } }, 'apiVersion', 'expected "v1"'],
    [{ apiVersion: 'v1', kind: 'node', metadata: { name: 'Node1' } }, 'metadata.name', 'not a valid name'],
    [{ apiVersion: 'v1', kind: 'node', metadata: { name: 'n', labels: {} } }, 'metadata.labels', 'unknown field'],
    [{ apiVersion: 'v1', kind: 'node', metadata: { name: 'n' }, spec: { bgp: { ipv4Address: 'fd00::1' } } }, 'spec.bgp.ipv4Address', 'expected an IPv4 CIDR'],
    [{ apiVersion: 'v1', kind: 'node', metadata: { name: 'n' }, spec: { bgp: { ipv6Address: '10.0.0.1/24' } } }, 'spec.bgp.ipv6Address', 'expected an IPv6 CIDR'],
    [{ apiVersion: 'v1', kind: 'node', metadata: { name: 'n' }, spec: { bgp: { asNumber: 'x' } } }, 'spec.bgp.asNumber', 'is not an AS number'],
    [{ apiVersion: 'v1', kind: 'node', metadata: { name: 'n' }, spec: { bgp: { routeReflectorClusterID: '1.1.1.1' } } }, 'spec.bgp.routeReflectorClusterID', 'unknown field'],
    ['apiVersion: v1', '', 'expected an object'],
  ]
  for (const [d, path, fragment] of cases) expectInvalid(t, () => convertLegacy(d), path, fragment, JSON.stringify(d))

  // A v3 constraint that only shows after conversion (the derived name is too long).
  expectInvalid(t, () => convertLegacy(v1Peer({ peerIP: '10.0.0.1', scope: 'node', node: 'a'.repeat(250) })), 'metadata.name', 'at most 253')
  // Errors are anchored under the caller's path.
  expectInvalid(t, () => convertLegacy(v1Peer({ peerIP: '10.0.0.1', scope: 'x' }), 'documents[2]'), 'documents[2].metadata.scope', 'must be one of')
  expectInvalid(t, () => convertLegacy(v1Peer({ peerIP: '10.0.0.1', scope: 'node', node: 'a'.repeat(250) }), 'documents[0]'), 'documents[0].metadata.name', 'at most 253')
  const e = t.throws(() => convertLegacy('x', 'file.yaml')) as ValidationError
  t.equal(e.path, 'file.yaml')
})
