/**
 * Golden scenarios: each is one node's view of a small cluster. The lab addresses are
 * 10.99.0.0/16 and fd99::/16; pools 10.99.128.0/17 and fd99:100::/48.
 */
import type { BuildIntentInput, Problem } from '../../../src/bgp/intent/index.js'
import { affinity, bgpConfig, bgpFilter, blocksOf, defaultPools, node, peer, pool, snapshot, threeNodes, type SnapshotParts } from './builders.js'

export interface Scenario {
  readonly name: string
  readonly input: BuildIntentInput
  /** Expected problems (default: none). */
  readonly problems?: readonly Problem[]
}

const peerKey = (name: string) => `/calico/resources/v3/projectcalico.org/bgppeers/${name}`
const meshOff = bgpConfig('default', { nodeToNodeMeshEnabled: false })
const allBlocks = [...blocksOf(1), ...blocksOf(2), ...blocksOf(3)]

/** Two route reflectors (one cluster) and three clients; every node peers with the reflectors. */
function reflectorCluster(): SnapshotParts {
  return {
    nodes: [
      ...threeNodes(),
      node('rr-1', { v4: '10.99.0.11/24', v6: 'fd99::11/64', clusterId: '244.0.0.1', labels: { 'route-reflector': 'true' } }),
      node('rr-2', { v4: '10.99.0.12/24', v6: 'fd99::12/64', clusterId: '244.0.0.1', labels: { 'route-reflector': 'true' } }),
    ],
    configs: [meshOff],
    peers: [peer('peer-with-route-reflectors', { nodeSelector: 'all()', peerSelector: "route-reflector == 'true'" })],
    affinities: allBlocks,
  }
}

/**
 * A scenario over the usual cluster (three nodes, the default pools, node-1's blocks):
 * `parts` replace or add to it; `view` says whose view it is (node-1 unless given), with
 * what router ID and secrets, and which problems are expected.
 */
function scenario(
  name: string,
  parts: SnapshotParts,
  view: Partial<Omit<BuildIntentInput, 'snapshot'>> & { readonly problems?: readonly Problem[] } = {},
): Scenario {
  const { problems, ...input } = view
  return {
    name,
    input: { nodeName: 'node-1', ...input, snapshot: snapshot({ nodes: threeNodes(), pools: defaultPools(), affinities: blocksOf(1), ...parts }) },
    ...(problems !== undefined && { problems }),
  }
}

export const SCENARIOS: readonly Scenario[] = [
  scenario('mesh-three-nodes', { affinities: allBlocks }, { nodeName: 'node-2' }),
  scenario('mesh-ipv6-only', {
    nodes: [1, 2, 3].map((i) => node(`node-${i}`, { v6: `fd99::${i}/64` })),
    affinities: allBlocks,
  }),
  scenario('no-ipv6-address', {
    nodes: [node('node-1', { v4: '10.99.0.1/24' }), ...threeNodes().slice(1)],
  }),
  scenario('mesh-off-global-reflectors', {
    configs: [bgpConfig('default', { nodeToNodeMeshEnabled: false, asNumber: 64600 })],
    peers: [
      peer('rr-a', { peerIP: '10.99.0.201', asNumber: 64600 }),
      peer('rr-b', { peerIP: '10.99.0.202', asNumber: 64600 }),
      peer('rr-a-v6', { peerIP: 'fd99::201', asNumber: 64600 }),
    ],
  }),
  scenario('route-reflector', reflectorCluster(), { nodeName: 'rr-1' }),
  scenario('route-reflector-client', reflectorCluster(), { nodeName: 'node-3' }),
  scenario('node-specific-by-name', {
    configs: [meshOff],
    peers: [
      peer('node-1-tor', { node: 'node-1', peerIP: '10.99.0.254', asNumber: 65001 }),
      peer('node-1-tor-v6', { node: 'node-1', peerIP: 'fd99::254', asNumber: 65001 }),
      peer('node-2-tor', { node: 'node-2', peerIP: '10.99.0.253', asNumber: 65001 }),
    ],
  }),
  scenario('node-specific-by-selector', {
    nodes: [
      node('node-1', { v4: '10.99.0.1/24', v6: 'fd99::1/64', labels: { rack: 'r1' } }),
      node('node-2', { v4: '10.99.0.2/24', v6: 'fd99::2/64', labels: { rack: 'r2' } }),
    ],
    peers: [
      peer('rack-r1-tor', { nodeSelector: "rack == 'r1'", peerIP: '10.99.1.254', asNumber: 65101 }),
      peer('rack-r2-tor', { nodeSelector: "rack == 'r2'", peerIP: '10.99.2.254', asNumber: 65102 }),
      // Same address as a global peering: the global one wins.
      peer('rack-r1-core', { nodeSelector: "rack in {'r1', 'r3'}", peerIP: '10.99.0.250', asNumber: 65000 }),
      peer('core', { peerIP: '10.99.0.250', asNumber: 65000 }),
    ],
  }, {
    problems: [
      {
        key: peerKey('rack-r1-core'),
        field: 'spec',
        reason: 'peering with 10.99.0.250 is already configured by BGPPeer core (Global_10_99_0_250); this one is ignored',
      },
    ],
  }),
  scenario('peer-selector', {
    nodes: [
      ...threeNodes(),
      node('edge-1', { v4: '10.99.0.21/24', v6: 'fd99::21/64', as: 65021, labels: { role: 'edge' } }),
      node('edge-2', { v4: '10.99.0.22/24', as: 65022, labels: { role: 'edge' } }),
    ],
    configs: [meshOff],
    peers: [peer('to-edges', { nodeSelector: "!has(role)", peerSelector: "role == 'edge'", keepOriginalNextHop: true })],
  }),
  scenario('passwords', {
    configs: [bgpConfig('default', { nodeMeshPassword: { secretKeyRef: { name: 'bgp-secrets', key: 'mesh' } } })],
    peers: [
      peer('tor', { peerIP: '10.99.0.254', asNumber: 65001, password: { secretKeyRef: { name: 'bgp-secrets', key: 'tor' } } }),
      peer('tor-missing-secret', {
        peerIP: '10.99.0.253',
        asNumber: 65001,
        password: { secretKeyRef: { name: 'bgp-secrets', key: 'absent' } },
      }),
    ],
  }, {
    secrets: new Map([
      ['bgp-secrets/mesh', 'mesh-Pa55word'],
      ['bgp-secrets/tor', "t0r!#$%&'()*+,-./:;<=>?@[]^_`{|}~ x"],
    ]),
    problems: [
      {
        key: peerKey('tor-missing-secret'),
        field: 'spec.password.secretKeyRef',
        reason: 'secret bgp-secrets/absent is not available; sessions that need it are held down (disabled) until it is',
      },
    ],
  }),
  scenario('non-default-ports', {
    configs: [bgpConfig('default', { listenPort: 1790 }), bgpConfig('node.node-3', { listenPort: 1791 })],
    peers: [
      peer('tor', { peerIP: '10.99.0.254:1179', asNumber: 65001 }),
      peer('tor-v6', { peerIP: '[fd99::254]:1179', asNumber: 65001 }),
      peer('tor-standard-port', { peerIP: '10.99.0.253:179', asNumber: 65001 }),
    ],
  }),
  scenario('keep-next-hop', {
    configs: [meshOff],
    peers: [
      peer('ebgp', { peerIP: '10.99.0.254', asNumber: 65001, keepOriginalNextHop: true }),
      // iBGP keeps the next hop anyway; Calico renders `next hop keep` for eBGP only.
      peer('ibgp', { peerIP: '10.99.0.253', asNumber: 64512, keepOriginalNextHop: true }),
    ],
  }),
  scenario('graceful-restart', {
    configs: [bgpConfig('default', { nodeMeshMaxRestartTime: '90s' })],
    peers: [peer('tor', { peerIP: '10.99.0.254', asNumber: 65001, maxRestartTime: '2m30s' })],
  }),
  scenario('ttl-security', {
    configs: [meshOff],
    peers: [
      peer('tor', { peerIP: '10.99.0.254', asNumber: 65001, ttlSecurity: 1, sourceAddress: 'None' }),
      peer('tor-v6', { peerIP: 'fd99::254', asNumber: 65001, ttlSecurity: 2, numAllowedLocalASNumbers: 1 }),
    ],
  }),
  scenario('communities', {
    configs: [
      bgpConfig('default', {
        communities: [
          { name: 'pods', value: '64512:100' },
          { name: 'pods-large', value: '64512:300:4294967295' },
        ],
        prefixAdvertisements: [
          { cidr: '10.99.128.0/17', communities: ['pods', '65000:1'] },
          { cidr: '10.99.129.0/26', communities: ['pods-large', '64512:2:3'] },
          { cidr: 'fd99:100::/48', communities: ['pods', 'pods-large'] },
        ],
      }),
    ],
  }),
  scenario('pools-and-services', {
    configs: [
      bgpConfig('default', {
        logSeverityScreen: 'Debug',
        serviceClusterIPs: [{ cidr: '10.99.96.0/20' }, { cidr: 'fd99:96::/112' }],
        serviceExternalIPs: [{ cidr: '10.99.112.0/24' }],
        ignoredInterfaces: ['eth9', 'test*'],
      }),
    ],
    pools: [
      ...defaultPools(),
      // `disabled` stops allocation only: its existing blocks stay routed and exported.
      pool('retired', { cidr: '10.99.64.0/20', disabled: true }),
      pool('private', { cidr: '10.99.80.0/20', disableBGPExport: true }),
      pool('vxlan', { cidr: '10.99.48.0/20', vxlanMode: 'Always' }),
      pool('private-v6', { cidr: 'fd99:200::/48', disableBGPExport: true }),
    ],
    affinities: [
      ...blocksOf(1),
      affinity('node-1', '10.99.64.64/26'),
      affinity('node-1', '10.99.80.0/26'),
      affinity('node-1', '10.99.129.64/26', 'pending'),
      affinity('node-1', '10.99.129.128/26', 'pendingDeletion'),
    ],
  }),
  scenario('router-id-hash', { affinities: [] }, { routerId: 'hash' }),
  scenario('node-level-configuration', {
    nodes: threeNodes({ as: 64513 }),
    configs: [
      bgpConfig('default', { logSeverityScreen: 'Info', listenPort: 1790, asNumber: 64600 }),
      bgpConfig('node.node-1', { logSeverityScreen: 'None', listenPort: 1791, bindMode: 'NodeIP', ignoredInterfaces: ['eth1'] }),
    ],
  }, {
    routerId: '10.99.255.1',
  }),
  scenario('unregistered-node', { affinities: [] }, { nodeName: 'node-9' }),
  // ---- current-Calico BGPPeer fields ----
  scenario('peer-without-as-number', {
    nodes: threeNodes({ as: 64513 }),
    configs: [meshOff],
    peers: [peer('same-as-tor', { peerIP: '10.99.0.254' }), peer('same-as-tor-v6', { peerIP: 'fd99::fe' })],
  }),
  scenario('local-as-number', {
    configs: [meshOff],
    peers: [
      peer('tor', { peerIP: '10.99.0.254', asNumber: 65000, localASNumber: 65001 }),
      // Same AS as the local AS it presents: iBGP on this session, so no keepOriginalNextHop.
      peer('tor-v6', { peerIP: 'fd99::fe', asNumber: 65001, localASNumber: 65001, keepOriginalNextHop: true }),
    ],
  }),
  scenario('next-hop-mode', {
    configs: [meshOff],
    peers: [
      peer('tor-self', { peerIP: '10.99.0.254', nextHopMode: 'Self' }),
      peer('tor-keep', { peerIP: '10.99.0.253', asNumber: 65000, nextHopMode: 'Keep' }),
      peer('tor-auto', { peerIP: 'fd99::fe', asNumber: 65000, nextHopMode: 'Auto' }),
    ],
  }),
  scenario('reachable-by', {
    configs: [meshOff],
    peers: [
      peer('remote-tor', { peerIP: '10.98.0.1', asNumber: 65000, reachableBy: '10.99.0.254' }),
      peer('remote-tor-v6', { peerIP: 'fd98::1', asNumber: 65000, reachableBy: 'fd99::fe' }),
    ],
  }),
  // node-2 is selected by both peers; only the Auto one makes it peer back.
  scenario('reverse-peering-manual', {
    nodes: [
      node('node-1', { v4: '10.99.0.1/24', labels: { edge: 'true' } }),
      node('node-2', { v4: '10.99.0.2/24', labels: { rr: 'true' } }),
      node('node-3', { v4: '10.99.0.3/24', labels: { edge2: 'true' } }),
    ],
    configs: [meshOff],
    peers: [
      peer('auto', { nodeSelector: 'has(edge)', peerSelector: 'has(rr)' }),
      peer('manual', { nodeSelector: 'has(edge2)', peerSelector: 'has(rr)', reversePeering: 'Manual' }),
    ],
    affinities: [],
  }, {
    nodeName: 'node-2',
  }),
  scenario('bgp-filters', {
    configs: [meshOff],
    peers: [
      peer('tor', { peerIP: '10.99.0.254', asNumber: 65000, filters: ['no-private', 'only-blocks'] }),
      peer('tor-v6', { peerIP: 'fd99::fe', asNumber: 65000, filters: ['no-private'] }),
      peer('plain', { peerIP: '10.99.0.253', asNumber: 65000 }),
    ],
    filters: [
      bgpFilter('no-private', {
        exportV4: [
          { action: 'Reject', matchOperator: 'In', cidr: '10.99.128.0/17', prefixLength: { min: 28 } },
          { action: 'Reject', matchOperator: 'Equal', cidr: '10.99.200.0/24' },
        ],
        importV4: [
          { action: 'Accept', matchOperator: 'In', cidr: '10.0.0.0/8', source: 'RemotePeers', interface: 'eth*' },
          { action: 'Reject', matchOperator: 'NotIn', cidr: '10.0.0.0/8' },
        ],
        exportV6: [{ action: 'Reject', matchOperator: 'NotEqual', cidr: 'fd99:100::/48', prefixLength: { min: 64, max: 122 } }],
      }),
      bgpFilter('only-blocks', { exportV4: [{ action: 'Accept', matchOperator: 'In', cidr: '10.99.128.0/17' }, { action: 'Reject' }] }),
    ],
  }),
  scenario('program-cluster-routes', {
    configs: [bgpConfig('default', { programClusterRoutes: 'EnabledIPIPOnly' })],
    pools: [
      pool('plain', { cidr: '10.99.128.0/17' }),
      pool('ipip', { cidr: '10.99.64.0/20', ipipMode: 'Always' }),
      pool('plain-v6', { cidr: 'fd99:100::/48' }),
    ],
  }),
  // `falconer node drain`: every session exports with GRACEFUL_SHUTDOWN; iBGP (the mesh,
  // a same-AS reflector) with local preference 0; eBGP (the ToR, a filtered peer, a peer
  // with its own local AS) with the session's AS prepended. Sessions' options unchanged.
  scenario(
    'drained',
    {
      configs: [bgpConfig('default', { serviceClusterIPs: [{ cidr: '10.99.96.0/20' }, { cidr: 'fd99:96::/112' }] })],
      peers: [
        peer('tor', { peerIP: '10.99.0.254', asNumber: 65000 }),
        peer('tor-v6', { peerIP: 'fd99::fe', asNumber: 65000 }),
        peer('reflector', { peerIP: '10.99.0.201', asNumber: 64512 }),
        peer('filtered', { peerIP: '10.99.0.253', asNumber: 65000, filters: ['only-blocks'] }),
        peer('own-as', { peerIP: '10.99.0.252', asNumber: 65000, localASNumber: 65001 }),
      ],
      filters: [bgpFilter('only-blocks', { exportV4: [{ action: 'Accept', matchOperator: 'In', cidr: '10.99.128.0/17' }, { action: 'Reject' }] })],
    },
    { drained: true },
  ),
]
