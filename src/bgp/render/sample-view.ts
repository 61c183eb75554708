import type { ConfigView, PeerView } from './view.js'

/**
 * A view that exercises every branch of the templates. loadTemplates renders it once so
 * an override that compiles but references a field or partial that does not exist fails
 * at load time, with the file named, instead of at the first real render.
 */
const peer: PeerView = {
  name: 'Global_10_99_0_1_port_1790',
  origin: 'BGPPeer sample',
  address: '10.99.0.1',
  port: 1790,
  asNumber: 64513,
  sourceAddress: '10.99.0.2',
  ttlSecurityHops: 2,
  passive: true,
  gracefulRestartTime: 120,
  routeReflectorClusterId: '10.99.255.1',
  password: 'sample',
  nextHopKeep: true,
  nextHopSelf: true,
  allowLocalAs: 1,
  localAs: 64600,
  filtered: true,
  importFilters: ['sample'],
  exportFilters: ['sample'],
  withheld: 'sample',
  ownExport: true,
  drain: { community: [65535, 0], localPref: 0, prepend: [64512] },
}

export const SAMPLE_VIEWS: readonly ConfigView[] = [
  {
    family: 4,
    routerId: '10.99.0.2',
    debug: { all: true, states: false },
    ignoredInterfaces: ['eth9'],
    disabledReason: null,
    bgp: {
      localAs: 64512,
      nodeAddress: '10.99.0.2',
      listen: { address: '10.99.0.2', port: 1790 },
      routeReflectorClusterId: '10.99.255.1',
      mesh: { on: true, routeReflector: false, passwordUnavailable: false },
      blocks: ['10.99.128.0/26'],
      services: ['10.99.96.0/20'],
      exportedPools: ['10.99.128.0/17'],
      rejectedPools: ['10.99.64.0/20'],
      kernelRejectedPools: ['10.99.64.0/20'],
      communities: [{ cidr: '10.99.128.0/17', standard: [[64512, 100]], large: [[64512, 1, 2]] }],
      meshPeers: [{ ...peer, name: 'Mesh_10_99_0_3', origin: 'mesh' }],
      globalPeers: [peer],
      nodePeers: [{ ...peer, name: 'Node_10_99_0_4', port: null }],
      bgpFilters: [
        {
          id: 'sample',
          import: [
            {
              action: 'accept',
              conditions: [
                { net: { equal: false, notEqual: false, in: true, notIn: false, cidr: '10.0.0.0/8', lengths: { min: 16, max: 24 } }, remotePeers: false, iface: null },
                { net: null, remotePeers: true, iface: null },
                { net: null, remotePeers: false, iface: 'eth*' },
              ],
            },
            { action: 'reject', conditions: [] },
          ],
          export: [
            {
              action: 'reject',
              conditions: [{ net: { equal: true, notEqual: true, in: false, notIn: true, cidr: '10.1.0.0/16', lengths: null }, remotePeers: false, iface: null }],
            },
          ],
        },
      ],
      peerRoutes: [{ address: '10.99.0.1', length: 32, gateway: '10.99.0.254' }],
      drained: true,
    },
  },
  {
    family: 6,
    routerId: '10.99.0.2',
    debug: { all: false, states: true },
    ignoredInterfaces: [],
    disabledReason: 'sample',
    bgp: null,
  },
]
