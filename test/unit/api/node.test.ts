import t from 'tap'
import { validateKind } from '../../../src/api/index.js'
import { doc, expectInvalid } from './helpers.js'

const node = (spec: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...doc('Node', spec, { name: 'node1' }),
  ...extra,
})

t.test('valid node specs are canonicalised', async (t) => {
  const cases: [unknown, unknown][] = [
    [undefined, {}],
    [{}, {}],
    [{ bgp: { ipv4Address: '10.99.0.2/24' } }, { bgp: { ipv4Address: '10.99.0.2/24' } }],
    [{ bgp: { ipv4Address: '10.99.0.2' } }, { bgp: { ipv4Address: '10.99.0.2/32' } }],
    [{ bgp: { ipv6Address: 'FD99:0::0002/64' } }, { bgp: { ipv6Address: 'fd99::2/64' } }],
    [{ bgp: { ipv6Address: 'fd99::2' } }, { bgp: { ipv6Address: 'fd99::2/128' } }],
    [{ bgp: { asNumber: '1.10' } }, { bgp: { asNumber: 65546 } }],
    [{ bgp: { asNumber: 64512, ipv4Address: '10.99.0.2/24', ipv4IPIPTunnelAddr: '192.168.1.1', routeReflectorClusterID: '224.0.0.1' } },
      { bgp: { asNumber: 64512, ipv4Address: '10.99.0.2/24', ipv4IPIPTunnelAddr: '192.168.1.1', routeReflectorClusterID: '224.0.0.1' } }],
    [{ bgp: { ipv4Address: '10.99.0.2/24', ipv6Address: '', asNumber: '' } }, { bgp: { ipv4Address: '10.99.0.2/24' } }],
    [{ orchRefs: [{ nodeName: 'node1', orchestrator: 'k8s' }, { orchestrator: 'openstack' }] },
      { orchRefs: [{ nodeName: 'node1', orchestrator: 'k8s' }, { orchestrator: 'openstack' }] }],
    // Fields owned by Felix / calico/node are carried through untouched.
    [{ ipv4VXLANTunnelAddr: '192.168.7.1', vxlanTunnelMACAddr: '66:1c:7f:1a:2b:3c', wireguard: { interfaceIPv4Address: '192.168.7.2' }, addresses: [{ address: '10.99.0.2/24', type: 'CalicoNodeIP' }] },
      { ipv4VXLANTunnelAddr: '192.168.7.1', vxlanTunnelMACAddr: '66:1c:7f:1a:2b:3c', wireguard: { interfaceIPv4Address: '192.168.7.2' }, addresses: [{ address: '10.99.0.2/24', type: 'CalicoNodeIP' }] }],
  ]
  for (const [spec, want] of cases) t.same(validateKind('Node', node(spec)).spec, want, JSON.stringify(spec))

  const withStatus = validateKind('Node', node({}, { status: { podCIDRs: ['192.168.1.0/24'], wireguardPublicKey: 'k' } }))
  t.same((withStatus as { status?: unknown }).status, { podCIDRs: ['192.168.1.0/24'], wireguardPublicKey: 'k' })
  t.same((validateKind('Node', node({}, { status: {} })) as { status?: unknown }).status, {})
})

t.test('invalid node specs name the field', async (t) => {
  const cases: [unknown, string, string][] = [
    [{ bgp: { asNumber: 0 } }, 'spec.bgp.asNumber', 'between 1 and 4294967295'],
    [{ bgp: { asNumber: '1.65536' } }, 'spec.bgp.asNumber', 'asdot halves'],
    [{ bgp: { ipv4Address: 'fd99::2/64' } }, 'spec.bgp.ipv4Address', 'expected an IPv4 CIDR'],
    [{ bgp: { ipv4Address: '10.99.0.2/33' } }, 'spec.bgp.ipv4Address', 'prefix length must be between 0 and 32'],
    [{ bgp: { ipv4Address: '10.099.0.2/24' } }, 'spec.bgp.ipv4Address', 'leading zeros'],
    [{ bgp: { ipv4Address: 'eth0' } }, 'spec.bgp.ipv4Address', 'not a valid IPv4'],
    [{ bgp: { ipv4Address: 10 } }, 'spec.bgp.ipv4Address', 'expected a string'],
    [{ bgp: { ipv6Address: '10.0.0.1/24' } }, 'spec.bgp.ipv6Address', 'expected an IPv6 CIDR'],
    [{ bgp: { ipv6Address: 'fe80::1%eth0/64' } }, 'spec.bgp.ipv6Address', 'zone'],
    [{ bgp: { ipv6Address: 'fd99::2/129' } }, 'spec.bgp.ipv6Address', 'between 0 and 128'],
    [{ bgp: { routeReflectorClusterID: 'fd00::1' } }, 'spec.bgp.routeReflectorClusterID', 'expected an IPv4 address'],
    [{ bgp: { routeReflectorClusterID: '1.2.3.4/32' } }, 'spec.bgp.routeReflectorClusterID', 'not a valid IPv4'],
    [{ bgp: { routeReflectorClusterID: '224.0.0.01' } }, 'spec.bgp.routeReflectorClusterID', 'leading zeros'],
    [{ bgp: { ipv4IPIPTunnelAddr: '192.168.1.256' } }, 'spec.bgp.ipv4IPIPTunnelAddr', 'octet 256'],
    [{ bgp: {} }, 'spec.bgp', 'must not be empty'],
    [{ bgp: 'yes' }, 'spec.bgp', 'expected an object'],
    [{ bgp: { asnumber: 64512 } }, 'spec.bgp.asnumber', 'unknown field (did you mean "asNumber"?)'],
    [{ bgp: { ipv4address: '10.0.0.1/24' } }, 'spec.bgp.ipv4address', 'did you mean "ipv4Address"?'],
    [{ bgp: { ipv4Adress: '10.0.0.1/24' } }, 'spec.bgp.ipv4Adress', 'did you mean "ipv4Address"?'],
    [{ bgp: { routeReflectorClusterId: '1.1.1.1' } }, 'spec.bgp.routeReflectorClusterId', 'did you mean "routeReflectorClusterID"?'],
    [{ foo: 1 }, 'spec.foo', 'unknown field'],
    [{ orchRefs: { orchestrator: 'k8s' } }, 'spec.orchRefs', 'expected a list'],
    [{ orchRefs: [{ nodeName: 'n' }] }, 'spec.orchRefs[0].orchestrator', 'required'],
    [{ orchRefs: [{ orchestrator: 'k8s' }, { orchestrator: 'k8s', nodename: 'x' }] }, 'spec.orchRefs[1].nodename', 'did you mean "nodeName"?'],
    [{ orchRefs: [{ orchestrator: 5 }] }, 'spec.orchRefs[0].orchestrator', 'expected a string'],
  ]
  for (const [spec, path, fragment] of cases) {
    expectInvalid(t, () => validateKind('Node', node(spec)), path, fragment, JSON.stringify(spec))
  }
  expectInvalid(t, () => validateKind('Node', node({}, { status: { foo: 1 } })), 'status.foo', 'unknown field')
  expectInvalid(t, () => validateKind('Node', node({}, { status: 'up' })), 'status', 'expected an object')
  expectInvalid(t, () => validateKind('Node', { ...node({}), metadata: { name: 'Node1' } }), 'metadata.name', 'not a valid name')
})
