import t from 'tap'
import { buildIntent, hashRouterId, holdsPassword, type EnabledFamily, type FamilyIntent, type PeerIntent } from '../../../src/bgp/intent/index.js'
import type { BuildIntentInput } from '../../../src/bgp/intent/index.js'
import { bgpConfig, node, peer, snapshot, threeNodes, type SnapshotParts } from './builders.js'

const enabled = (f: FamilyIntent): EnabledFamily => {
  if (!f.enabled) throw new Error(`family disabled: ${f.reason}`)
  return f
}
const v4 = (input: BuildIntentInput) => enabled(buildIntent(input).v4)
const peerNamed = (f: EnabledFamily, name: string): PeerIntent => {
  const p = f.peers.find((x) => x.name === name)
  if (!p) throw new Error(`no peer ${name} in ${f.peers.map((x) => x.name).join(', ')}`)
  return p
}
const names = (f: FamilyIntent) => (f.enabled ? f.peers.map((p) => p.name) : [])
const meshOff = bgpConfig('default', { nodeToNodeMeshEnabled: false })
const key = (plural: string, name: string) => `/calico/resources/v3/projectcalico.org/${plural}/${name}`

t.test('router id', async (t) => {
  t.equal(hashRouterId('node-1'), '53.151.27.230', 'first four bytes of sha256("node-1")')
  t.equal(hashRouterId('kube-worker-7'), '133.117.119.200')
  t.equal(hashRouterId('n13'), '212.245.13.237', 'first octet 244 moved out of the multicast range, as Calico does')
  const s = snapshot({ nodes: [...threeNodes(), node('v6-only', { v6: 'fd99::9/64' })] })
  t.equal(buildIntent({ snapshot: s, nodeName: 'node-1' }).v4.routerId, '10.99.0.1', 'node IPv4 by default')
  t.equal(buildIntent({ snapshot: s, nodeName: 'node-1' }).v6.routerId, '10.99.0.1', 'bird6 uses the IPv4 too')
  t.equal(buildIntent({ snapshot: s, nodeName: 'node-1', routerId: 'hash' }).v6.routerId, '53.151.27.230')
  t.equal(buildIntent({ snapshot: s, nodeName: 'node-1', routerId: '10.99.255.7' }).v4.routerId, '10.99.255.7')
  const v6only = buildIntent({ snapshot: s, nodeName: 'v6-only' })
  t.equal(v6only.v6.routerId, hashRouterId('v6-only'), 'no IPv4: the hash')
  t.equal(v6only.v4.enabled, false)
  const bad = buildIntent({ snapshot: s, nodeName: 'node-1', routerId: '10.99.0.1"; evil' })
  t.equal(bad.v4.routerId, '10.99.0.1', 'an invalid option falls back to the node address')
  t.match(bad.problems, [{ key: 'CALICO_ROUTER_ID', field: 'routerId' }])
})

t.test('AS number precedence: node > node.<name> config > default config > 64512', async (t) => {
  const nodes = [node('a', { v4: '10.99.0.1/24', as: 65001 }), node('b', { v4: '10.99.0.2/24' }), node('c', { v4: '10.99.0.3/24' })]
  t.equal(v4({ snapshot: snapshot({ nodes }), nodeName: 'b' }).localAs, 64512)
  const configs = [bgpConfig('default', { asNumber: 65100 }), bgpConfig('node.c', { asNumber: 65200 })]
  const s = snapshot({ nodes, configs })
  t.equal(v4({ snapshot: s, nodeName: 'a' }).localAs, 65001)
  t.equal(v4({ snapshot: s, nodeName: 'b' }).localAs, 65100)
  t.equal(v4({ snapshot: s, nodeName: 'c' }).localAs, 65200)
  const b = v4({ snapshot: s, nodeName: 'b' })
  t.equal(peerNamed(b, 'Mesh_10_99_0_1').asNumber, 65001, "mesh peers carry the other node's AS")
  t.equal(peerNamed(b, 'Mesh_10_99_0_1').internal, false)
  t.equal(peerNamed(b, 'Mesh_10_99_0_3').asNumber, 65200)
})

t.test('mesh: exactly one side of each pair is passive', async (t) => {
  const nodes = ['10.99.0.1', '10.99.0.2', '10.99.0.10', '10.99.0.11', '10.99.1.3'].map((a, i) => node(`n${i}`, { v4: `${a}/16` }))
  const s = snapshot({ nodes })
  const intents = new Map(nodes.map((n) => [n.spec.bgp!.ipv4Address!.split('/')[0]!, v4({ snapshot: s, nodeName: n.metadata.name })]))
  for (const [a, fa] of intents) {
    t.equal(fa.peers.length, 4, `${a} peers with the four others`)
    for (const [b, fb] of intents) {
      if (a === b) continue
      const ab = fa.peers.find((p) => p.address === b)!
      const ba = fb.peers.find((p) => p.address === a)!
      t.not(ab.passive, ba.passive, `${a} <-> ${b}: one side listens`)
    }
  }
  t.equal(peerNamed(intents.get('10.99.0.1')!, 'Mesh_10_99_0_2').passive, true, 'the side whose peer sorts higher listens (Calico)')
})

t.test('mesh: off globally, or when either side is a route reflector', async (t) => {
  const nodes = [...threeNodes(), node('rr', { v4: '10.99.0.9/24', clusterId: '244.0.0.1' })]
  const on = v4({ snapshot: snapshot({ nodes }), nodeName: 'node-1' })
  t.same(names(on), ['Mesh_10_99_0_2', 'Mesh_10_99_0_3'], 'the reflector is not in the mesh')
  t.same(on.mesh, { state: 'on' })
  const rr = v4({ snapshot: snapshot({ nodes }), nodeName: 'rr' })
  t.same(rr.mesh, { state: 'off', why: 'route-reflector' })
  t.same(names(rr), [])
  const off = v4({ snapshot: snapshot({ nodes, configs: [meshOff] }), nodeName: 'node-1' })
  t.same(off.mesh, { state: 'off', why: 'disabled' })
  t.same(names(off), [])
})

t.test('route reflector: rr client toward same-AS peers outside its cluster', async (t) => {
  const s = snapshot({
    nodes: [
      node('rr-a', { v4: '10.99.0.11/24', clusterId: '244.0.0.1', labels: { rr: 'true' } }),
      node('rr-b', { v4: '10.99.0.12/24', clusterId: '244.0.0.1', labels: { rr: 'true' } }),
      node('rr-c', { v4: '10.99.0.13/24', clusterId: '244.0.0.2', labels: { rr: 'true' } }),
      node('client', { v4: '10.99.0.1/24' }),
      node('other-as', { v4: '10.99.0.2/24', as: 65009 }),
    ],
    configs: [meshOff],
    peers: [
      peer('to-reflectors', { nodeSelector: 'all()', peerSelector: 'has(rr)' }),
      peer('tor', { peerIP: '10.99.0.254', asNumber: 64512 }),
      peer('ebgp', { peerIP: '10.99.0.253', asNumber: 65001 }),
    ],
  })
  const rr = v4({ snapshot: s, nodeName: 'rr-a' })
  t.equal(rr.routeReflectorClusterId, '244.0.0.1')
  t.equal(peerNamed(rr, 'Node_10_99_0_12').routeReflectorClusterId, undefined, 'same cluster: plain iBGP')
  t.equal(peerNamed(rr, 'Node_10_99_0_13').routeReflectorClusterId, '244.0.0.1', 'other cluster: a client')
  t.equal(peerNamed(rr, 'Node_10_99_0_1').routeReflectorClusterId, '244.0.0.1', 'client node, peered back')
  t.equal(peerNamed(rr, 'Node_10_99_0_2').routeReflectorClusterId, undefined, 'other AS: never a client')
  t.equal(peerNamed(rr, 'Global_10_99_0_254').routeReflectorClusterId, '244.0.0.1', 'same-AS peerIP peer: a client')
  t.equal(peerNamed(rr, 'Global_10_99_0_253').routeReflectorClusterId, undefined, 'eBGP peer: not a client')
  const client = v4({ snapshot: s, nodeName: 'client' })
  t.same(names(client), ['Global_10_99_0_253', 'Global_10_99_0_254', 'Node_10_99_0_11', 'Node_10_99_0_12', 'Node_10_99_0_13'])
  t.ok(client.peers.every((p) => p.routeReflectorClusterId === undefined), 'a client never says rr client')
})

t.test('never a peer with itself', async (t) => {
  const s = snapshot({
    nodes: threeNodes({ labels: { all: 'yes' } }),
    configs: [meshOff],
    peers: [
      peer('all-nodes', { peerSelector: 'has(all)' }),
      peer('reflectors', { peerIP: '10.99.0.1', asNumber: 64512 }),
      peer('reflectors-v6', { peerIP: 'fd99::1', asNumber: 64512 }),
    ],
  })
  const i = buildIntent({ snapshot: s, nodeName: 'node-1' })
  t.same(names(i.v4), ['Global_10_99_0_2', 'Global_10_99_0_3'])
  t.same(names(i.v6), ['Global_fd99__2', 'Global_fd99__3'])
  t.same(i.problems, [])
})

t.test('node-specific peers: by name and by nodeSelector; a global one to the same address wins', async (t) => {
  const s = snapshot({
    nodes: [node('a', { v4: '10.99.0.1/24', labels: { rack: 'r1' } }), node('b', { v4: '10.99.0.2/24', labels: { rack: 'r2' } })],
    configs: [meshOff],
    peers: [
      peer('for-a', { node: 'a', peerIP: '10.99.0.201', asNumber: 65001 }),
      peer('for-r1', { nodeSelector: "rack == 'r1'", peerIP: '10.99.0.202', asNumber: 65001 }),
      peer('for-r2', { nodeSelector: "rack == 'r2'", peerIP: '10.99.0.203', asNumber: 65001 }),
      peer('dup-of-global', { node: 'a', peerIP: '10.99.0.250', asNumber: 65002 }),
      peer('global', { peerIP: '10.99.0.250', asNumber: 65000 }),
      peer('global-other-port', { peerIP: '10.99.0.250:1790', asNumber: 65000 }),
    ],
  })
  const i = buildIntent({ snapshot: s, nodeName: 'a' })
  t.same(names(i.v4), ['Global_10_99_0_250', 'Global_10_99_0_250_port_1790', 'Node_10_99_0_201', 'Node_10_99_0_202'])
  t.equal(peerNamed(enabled(i.v4), 'Global_10_99_0_250').asNumber, 65000)
  t.same(i.problems, [
    {
      key: key('bgppeers', 'dup-of-global'),
      field: 'spec',
      reason: 'peering with 10.99.0.250 is already configured by BGPPeer global (Global_10_99_0_250); this one is ignored',
    },
  ])
  t.same(names(buildIntent({ snapshot: s, nodeName: 'b' }).v4), [
    'Global_10_99_0_250',
    'Global_10_99_0_250_port_1790',
    'Node_10_99_0_203',
  ])
})

t.test('peerSelector: the selected nodes, with their own AS and listen port', async (t) => {
  const s = snapshot({
    nodes: [
      node('a', { v4: '10.99.0.1/24', v6: 'fd99::1/64' }),
      node('e1', { v4: '10.99.0.21/24', as: 65021, labels: { edge: '' } }),
      node('e2', { v4: '10.99.0.22/24', v6: 'fd99::22/64', labels: { edge: '' } }),
    ],
    configs: [meshOff, bgpConfig('node.e2', { listenPort: 1790 })],
    peers: [peer('edges', { node: 'a', peerSelector: 'has(edge)', keepOriginalNextHop: true })],
  })
  const i = buildIntent({ snapshot: s, nodeName: 'a' })
  const f = enabled(i.v4)
  t.same(names(f), ['Node_10_99_0_21', 'Node_10_99_0_22_port_1790'])
  t.match(peerNamed(f, 'Node_10_99_0_21'), { asNumber: 65021, internal: false, nextHopKeep: true, passive: true })
  t.match(peerNamed(f, 'Node_10_99_0_22_port_1790'), { asNumber: 64512, port: 1790, internal: true, nextHopKeep: false })
  t.same(names(i.v6), ['Node_fd99__22_port_1790'])
  // The selected nodes peer back with `a` (Calico's reverse peerings).
  t.same(names(buildIntent({ snapshot: s, nodeName: 'e1' }).v4), ['Node_10_99_0_1'])
  t.match(peerNamed(v4({ snapshot: s, nodeName: 'e1' }), 'Node_10_99_0_1'), { asNumber: 64512, passive: false, nextHopKeep: true })
})

t.test('a peerIP that is a Calico node: its listen port, and the passive rule', async (t) => {
  const s = snapshot({
    nodes: [node('a', { v4: '10.99.0.1/24' }), node('b', { v4: '10.99.0.2/24' })],
    configs: [meshOff, bgpConfig('node.b', { listenPort: 1790 })],
    peers: [peer('a-to-b', { node: 'a', peerIP: '10.99.0.2', asNumber: 64512 })],
  })
  t.match(v4({ snapshot: s, nodeName: 'a' }).peers, [{ name: 'Node_10_99_0_2_port_1790', port: 1790, passive: true }])
  t.match(v4({ snapshot: s, nodeName: 'b' }).peers, [{ name: 'Node_10_99_0_1', passive: false }], 'b peers back')
})

t.test('peer options', async (t) => {
  const s = snapshot({
    nodes: threeNodes(),
    configs: [meshOff],
    peers: [
      peer('plain', { peerIP: '10.99.0.201', asNumber: 65001 }),
      peer('no-source', { peerIP: '10.99.0.202', asNumber: 65001, sourceAddress: 'None' }),
      peer('ibgp-keep', { peerIP: '10.99.0.203', asNumber: 64512, keepOriginalNextHop: true }),
      peer('ebgp-keep', { peerIP: '10.99.0.204', asNumber: 65001, keepOriginalNextHop: true }),
      peer('gr', { peerIP: '10.99.0.205', asNumber: 65001, maxRestartTime: '1m30.4s' }),
      peer('ttl', { peerIP: '10.99.0.206', asNumber: 65001, ttlSecurity: 2, numAllowedLocalASNumbers: 1 }),
    ],
  })
  const f = v4({ snapshot: s, nodeName: 'node-1' })
  t.same(peerNamed(f, 'Global_10_99_0_201'), {
    kind: 'Global',
    name: 'Global_10_99_0_201',
    origin: 'BGPPeer plain',
    address: '10.99.0.201',
    asNumber: 65001,
    internal: false,
    sourceAddress: '10.99.0.1',
    passive: false,
    nextHopKeep: false,
    nextHopSelf: false,
    importFilters: [],
    exportFilters: [],
  })
  t.equal(peerNamed(f, 'Global_10_99_0_202').sourceAddress, undefined)
  t.equal(peerNamed(f, 'Global_10_99_0_203').nextHopKeep, false, 'iBGP: never next hop keep')
  t.equal(peerNamed(f, 'Global_10_99_0_204').nextHopKeep, true)
  t.equal(peerNamed(f, 'Global_10_99_0_205').gracefulRestartTime, 90)
  t.match(peerNamed(f, 'Global_10_99_0_206'), { ttlSecurityHops: 2, allowLocalAs: 1 })
})

t.test('passwords come from the secrets map; a missing one holds the sessions down, never up without it', async (t) => {
  const parts: SnapshotParts = {
    nodes: threeNodes(),
    configs: [bgpConfig('default', { nodeMeshPassword: { secretKeyRef: { name: 's', key: 'mesh' } } })],
    peers: [peer('tor', { peerIP: '10.99.0.254', asNumber: 65001, password: { secretKeyRef: { name: 's', key: 'tor' } } })],
  }
  const all = new Map([['s/mesh', 'm'], ['s/tor', 't']])
  const full = v4({ snapshot: snapshot(parts), nodeName: 'node-1', secrets: all })
  t.same(full.peers.map((p) => [p.name, p.password]), [
    ['Global_10_99_0_254', 't'],
    ['Mesh_10_99_0_2', 'm'],
    ['Mesh_10_99_0_3', 'm'],
  ])
  const noTor = buildIntent({ snapshot: snapshot(parts), nodeName: 'node-1', secrets: new Map([['s/mesh', 'm']]) })
  t.same(enabled(noTor.v4).peers.map((p) => [p.name, p.password, p.withheld]), [
    ['Global_10_99_0_254', undefined, 'password-unavailable'],
    ['Mesh_10_99_0_2', 'm', undefined],
    ['Mesh_10_99_0_3', 'm', undefined],
  ])
  t.same(noTor.problems, [
    {
      key: key('bgppeers', 'tor'),
      field: 'spec.password.secretKeyRef',
      reason: 'secret s/tor is not available; sessions that need it are held down (disabled) until it is',
    },
  ])
  const noMesh = buildIntent({ snapshot: snapshot(parts), nodeName: 'node-1', secrets: new Map([['s/tor', 't']]) })
  t.same(enabled(noMesh.v4).peers.map((p) => [p.name, p.password, p.withheld]), [
    ['Global_10_99_0_254', 't', undefined],
    ['Mesh_10_99_0_2', undefined, 'password-unavailable'],
    ['Mesh_10_99_0_3', undefined, 'password-unavailable'],
  ])
  t.same(enabled(noMesh.v4).mesh, { state: 'off', why: 'password-unavailable' })
  t.match(noMesh.problems, [{ key: key('bgpconfigurations', 'default'), field: 'spec.nodeMeshPassword' }])
  const unsafe = buildIntent({ snapshot: snapshot(parts), nodeName: 'node-1', secrets: new Map([['s/mesh', 'm'], ['s/tor', 'a"b']]) })
  t.same(
    enabled(unsafe.v4).peers.map((p) => [p.name, p.password ?? null]),
    [['Global_10_99_0_254', null], ['Mesh_10_99_0_2', 'm'], ['Mesh_10_99_0_3', 'm']],
    'a value BIRD cannot take is never rendered',
  )
  t.match(unsafe.problems, [{ key: key('bgppeers', 'tor'), reason: /not a usable BGP password/ }])
})

t.test('exports: confirmed blocks of this node, pools, service addresses, communities', async (t) => {
  const s = snapshot({
    nodes: threeNodes(),
    configs: [
      bgpConfig('default', {
        serviceClusterIPs: [{ cidr: '10.99.96.0/20' }, { cidr: 'fd99:96::/112' }],
        communities: [{ name: 'x', value: '1:2' }],
        prefixAdvertisements: [{ cidr: '10.99.128.0/17', communities: ['x', '3:4:5'] }],
      }),
    ],
    pools: [
      { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.99.128.7/17', disableBGPExport: true } },
    ],
    affinities: [
      { node: 'node-1', cidr: '10.99.129.0/26', state: 'confirmed' },
      { node: 'node-1', cidr: '10.99.129.64/26', state: 'pending' },
      { node: 'node-2', cidr: '10.99.130.0/26', state: 'confirmed' },
      { node: 'node-1', cidr: 'fd99:100::/122', state: 'confirmed' },
    ],
  })
  const i = buildIntent({ snapshot: s, nodeName: 'node-1' })
  const f = enabled(i.v4)
  t.same(f.blocks, ['10.99.129.0/26'])
  t.same(f.pools, [{ cidr: '10.99.128.0/17', exported: false, programKernel: true }], 'CIDR re-serialised with host bits cleared')
  t.same(f.serviceAddresses, ['10.99.96.0/20'])
  t.same(f.communities, [{ cidr: '10.99.128.0/17', standard: [[1, 2]], large: [[3, 4, 5]] }])
  const g = enabled(i.v6)
  t.same(g.blocks, ['fd99:100::/122'])
  t.same(g.serviceAddresses, ['fd99:96::/112'])
  t.same(g.communities, [])
})

t.test('problems: a bad resource is reported and skipped, the rest is used', async (t) => {
  const s = snapshot({
    nodes: [
      ...threeNodes(),
      node('bad-address', { v4: '10.99.0.300/24' }),
      node('bad-as', { v4: '10.99.0.5/24', as: -1 }),
    ],
    configs: [
      bgpConfig('default', { listenPort: 70000, logSeverityScreen: 'Loud' as never, communities: [{ name: 'c', value: '1:99999' }] }),
    ],
    peers: [
      peer('bad-ip', { peerIP: '10.99.0.256', asNumber: 65001 }),
      peer('bad-selector', { peerSelector: "role == 'x" }),
      peer('bad-local-as', { peerIP: '10.99.0.201', localASNumber: 0 }),
      peer('good', { peerIP: '10.99.0.202', asNumber: 65001 }),
    ],
  })
  const i = buildIntent({ snapshot: s, nodeName: 'node-1' })
  t.same(names(i.v4), ['Global_10_99_0_202', 'Mesh_10_99_0_2', 'Mesh_10_99_0_3'])
  t.equal(enabled(i.v4).listenPort, undefined, 'an invalid listenPort is ignored')
  t.equal(i.v4.debug, 'states', 'an invalid log level falls back to the default')
  const where = i.problems.map((p) => `${p.key.split('/').slice(-2).join('/')} ${p.field}`)
  t.same(where, [
    'bgpconfigurations/default spec.communities[0].value',
    'bgpconfigurations/default spec.listenPort',
    'bgpconfigurations/default spec.logSeverityScreen',
    'bgppeers/bad-ip spec.peerIP',
    'bgppeers/bad-local-as spec.localASNumber',
    'bgppeers/bad-selector spec.peerSelector',
    'nodes/bad-address spec.bgp.ipv4Address',
    'nodes/bad-as spec.bgp.asNumber',
  ])
  t.ok(i.problems.every((p) => p.reason.length > 0))
  t.match(i.problems.find((p) => p.field === 'spec.peerSelector')?.reason, /column/)
})

t.test('this node without a Node resource, or without an address of a family', async (t) => {
  const s = snapshot({ nodes: [node('v4-only', { v4: '10.99.0.1/24' })] })
  const missing = buildIntent({ snapshot: s, nodeName: 'ghost' })
  t.match(missing.v4, { enabled: false, reason: /no valid Node resource/ })
  t.match(missing.v6, { enabled: false })
  const v4only = buildIntent({ snapshot: s, nodeName: 'v4-only' })
  t.equal(v4only.v4.enabled, true)
  t.match(v4only.v6, { enabled: false, reason: 'this node has no IPv6 address', routerId: '10.99.0.1' })
})

t.test('peers are sorted by name; names encode address and port', async (t) => {
  const s = snapshot({
    nodes: [node('a', { v4: '10.99.0.1/24', v6: 'fd99::1/64' })],
    peers: [
      peer('z', { peerIP: '10.99.0.3', asNumber: 65001 }),
      peer('y', { peerIP: '10.99.0.20:1790', asNumber: 65001 }),
      peer('x', { node: 'a', peerIP: '10.99.0.2', asNumber: 65001 }),
      peer('w', { peerIP: '[fd99:0:0::a]:1790', asNumber: 65001 }),
    ],
  })
  const i = buildIntent({ snapshot: s, nodeName: 'a' })
  t.same(names(i.v4), ['Global_10_99_0_20_port_1790', 'Global_10_99_0_3', 'Node_10_99_0_2'])
  t.same(names(i.v6), ['Global_fd99__a_port_1790'])
})

t.test('holdsPassword tells the applier which files must be 0600', async (t) => {
  const s = snapshot({
    nodes: threeNodes(),
    peers: [peer('tor', { peerIP: '10.99.0.254', asNumber: 65001, password: { secretKeyRef: { name: 's', key: 'k' } } })],
  })
  const i = buildIntent({ snapshot: s, nodeName: 'node-1', secrets: new Map([['s/k', 'pw']]) })
  t.equal(holdsPassword(i.v4), true)
  t.equal(holdsPassword(i.v6), false)
  t.equal(holdsPassword(buildIntent({ snapshot: s, nodeName: 'node-1' }).v4), false, 'no secret, no password in the file')
})

t.test('current-Calico BGPPeer fields: peer without asNumber, localASNumber, reversePeering, filters', async (t) => {
  const s = snapshot({
    nodes: [
      node('a', { v4: '10.99.0.1/24', as: 64600, labels: { edge: 'true' } }),
      node('b', { v4: '10.99.0.2/24', labels: { rr: 'true' } }),
    ],
    configs: [meshOff],
    peers: [
      // No asNumber: the session is in this node's own AS (iBGP).
      peer('tor', { node: 'a', peerIP: '10.99.0.254' }),
      // localASNumber: a speaks as 65500 to b; b peers back expecting 65500.
      peer('to-b', { node: 'a', peerSelector: 'has(rr)', localASNumber: 65500 }),
      peer('manual', { node: 'b', peerIP: '10.99.0.1', asNumber: 64600, reversePeering: 'Manual' }),
      peer('filtered', { node: 'b', peerIP: '10.99.0.250', asNumber: 65000, filters: ['missing'] }),
    ],
  })
  const a = v4({ snapshot: s, nodeName: 'a' })
  t.match(peerNamed(a, 'Node_10_99_0_254'), { asNumber: 64600, internal: true })
  t.match(peerNamed(a, 'Node_10_99_0_2'), { asNumber: 64512, localAs: 65500, internal: false })
  t.same(names(a), ['Node_10_99_0_2', 'Node_10_99_0_254'], 'Manual: a does not peer back with b for BGPPeer manual')
  const i = buildIntent({ snapshot: s, nodeName: 'b' })
  const b = enabled(i.v4)
  t.match(peerNamed(b, 'Node_10_99_0_1'), { asNumber: 64600, internal: false })
  t.equal(b.peers.find((p) => p.address === '10.99.0.250'), undefined, 'a peer naming a missing BGPFilter is withheld')
  t.match(i.problems, [{ key: '/calico/resources/v3/projectcalico.org/bgppeers/filtered', field: 'spec.filters', reason: /missing/ }])
  // The reverse of to-b on b: peers with a in the AS a presents (65500), not a's own.
  const reverse = snapshot({ ...{ nodes: [...s.nodes.values()] }, configs: [meshOff], peers: [peer('to-b', { node: 'a', peerSelector: 'has(rr)', localASNumber: 65500 })] })
  t.match(peerNamed(v4({ snapshot: reverse, nodeName: 'b' }), 'Node_10_99_0_1'), { asNumber: 65500 })
})
