import t from 'tap'
import { setImmediate as nextTurn } from 'node:timers/promises'
import {
  createProtocolDetailsParser,
  parseProtocolDetails,
  type BgpDetails,
  type BgpSummary,
  type ProtocolDetails,
  type ProtocolState,
  type RouteChangeStats,
} from '../../../src/bird/replies/index.js'
import { birdcLines, rawLines } from './fixture-lines.js'
import { capturingLogger } from './log-capture.js'
import { BGP_DETAILS_UNSET, routeChangeStats } from './expected-replies.js'

const stats = routeChangeStats
const ZERO = stats([0, 0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0])
const ONE_IMPORTED = stats([1, 0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0])
const MESH_STATS = stats([1, 0, 0, 0, 1], [0, 0, 0, 0], [3, 1, 1, 1], [0, 0])

interface Block {
  name: string
  proto: string
  state: ProtocolState
  since: string
  info: string
  bgp?: BgpSummary
  preference: number
  inputFilter?: string
  outputFilter: string
  routes?: [number, number, number]
  stats?: RouteChangeStats
  bgpDetails?: Partial<BgpDetails>
}

function details(b: Block): ProtocolDetails {
  return {
    name: b.name,
    proto: b.proto,
    table: 'master',
    state: b.state,
    since: { format: 'time', raw: b.since, time: b.since },
    info: b.info,
    bgp: b.bgp,
    preference: b.preference,
    inputFilter: b.inputFilter ?? 'ACCEPT',
    outputFilter: b.outputFilter,
    routes: b.routes && { imported: b.routes[0], filtered: undefined, exported: b.routes[1], preferred: b.routes[2] },
    routeChangeStats: b.stats,
    bgpDetails: b.bgpDetails && {
      state: 'Idle',
      neighborAddress: '',
      neighborAs: 64512,
      ...BGP_DETAILS_UNSET,
      ...b.bgpDetails,
    },
  }
}

const kernel1 = (eu: [number, number, number, number], ew: [number, number]) =>
  details({ name: 'kernel1', proto: 'Kernel', state: 'up', since: '11:40:21', info: '', preference: 10, outputFilter: 'ACCEPT',
    routes: [0, 3, 0], stats: stats([0, 0, 0, 0, 0], [0, 0, 0, 0], eu, ew) })
const device1 = details({ name: 'device1', proto: 'Device', state: 'up', since: '11:40:21', info: '', preference: 240, outputFilter: 'REJECT', routes: [0, 0, 0], stats: ZERO })
const direct1 = details({ name: 'direct1', proto: 'Direct', state: 'up', since: '11:40:21', info: '', preference: 240, outputFilter: 'REJECT', routes: [1, 0, 1], stats: ONE_IMPORTED })
const podBlocks = details({ name: 'pod_blocks', proto: 'Static', state: 'up', since: '11:40:21', info: '', preference: 200, outputFilter: 'REJECT', routes: [1, 0, 1], stats: ONE_IMPORTED })

function mesh(name: string, since: string, neighbor: string, source: string, hold: number, keepalive: number): ProtocolDetails {
  return details({
    name, proto: 'BGP', state: 'up', since, info: 'Established', bgp: { state: 'Established', lastError: undefined },
    preference: 100, outputFilter: 'export_pod_blocks', routes: [1, 1, 1], stats: MESH_STATS,
    bgpDetails: {
      state: 'Established',
      neighborAddress: neighbor,
      neighborId: '10.99.0.2',
      neighborCapabilities: ['refresh', 'enhanced-refresh', 'restart-able', 'llgr-aware', 'AS4'],
      session: { type: 'internal', flags: ['multihop', 'AS4'] },
      sourceAddress: source,
      holdTimer: { remaining: hold, configured: 9 },
      keepaliveTimer: { remaining: keepalive, configured: 3 },
    },
  })
}

/** A BGP protocol in start state, Connect or Active, with or without the last error. */
function starting(name: string, since: string, neighbor: string, state: 'Connect' | 'Active', error: string | undefined, opts: { infoError?: boolean; connectDelay?: boolean } = {}): ProtocolDetails {
  const infoError = opts.infoError ?? error !== undefined
  const pad = state === 'Active' ? '        ' : '       '
  return details({
    name, proto: 'BGP', state: 'start', since,
    info: infoError ? `${state}${pad}${error}` : state,
    bgp: { state, lastError: infoError ? error : undefined },
    preference: 100, outputFilter: 'export_pod_blocks', routes: [0, 0, 0], stats: ZERO,
    bgpDetails: {
      state,
      neighborAddress: neighbor,
      connectDelay: opts.connectDelay ? { remaining: 1, configured: 1 } : undefined,
      lastError: error,
    },
  })
}

const disabled = (name: string, since: string, neighbor: string) =>
  details({ name, proto: 'BGP', state: 'down', since, info: '', bgp: { state: 'Down', lastError: undefined },
    preference: 100, outputFilter: 'export_pod_blocks', bgpDetails: { state: 'Down', neighborAddress: neighbor } })

const NO_ROUTE = 'Socket: No route to host'
const UNREACHABLE = 'Socket: Network is unreachable'

t.test('raw show protocols all fixtures', async (t) => {
  t.strictSame(
    parseProtocolDetails(rawLines('raw_v4_show_protocols_all_Mesh_established.txt')),
    [mesh('Mesh_10_99_0_2', '11:42:35', '10.99.0.2', '10.99.0.1', 7, 3)],
    'raw_v4_show_protocols_all_Mesh_established.txt',
  )
  t.strictSame(
    parseProtocolDetails(rawLines('raw_v6_show_protocols_all_Mesh_established.txt')),
    [mesh('Mesh_fd99__2', '11:40:23', 'fd99::2', 'fd99::1', 4, 1)],
    'raw_v6_show_protocols_all_Mesh_established.txt',
  )
  t.strictSame(
    parseProtocolDetails(rawLines('raw_v4_show_protocols_all_mixed.txt')),
    [
      kernel1([6, 1, 0, 5], [2, 2]),
      device1,
      direct1,
      podBlocks,
      // The row says plain "Connect", the details hold no error yet.
      starting('Node_10_99_0_77', '11:42:33', '10.99.0.77', 'Connect', undefined),
      starting('Node_10_99_5_5', '11:42:33', '10.99.5.5', 'Active', UNREACHABLE, { connectDelay: true }),
      mesh('Mesh_10_99_0_2', '11:42:35', '10.99.0.2', '10.99.0.1', 6, 2),
      disabled('Node_disabled', '11:42:35', '10.99.0.88'),
    ],
    'raw_v4_show_protocols_all_mixed.txt',
  )
})

t.test('birdc show protocols all fixtures, IPv4', async (t) => {
  const v4 = (f: string) => parseProtocolDetails(birdcLines(f))
  t.strictSame(v4('v4_show_protocols_all_Active_nohost.txt'), [
    starting('Node_10_99_0_77', '11:40:51', '10.99.0.77', 'Active', NO_ROUTE, { connectDelay: true }),
  ], 'v4_show_protocols_all_Active_nohost.txt')
  t.strictSame(v4('v4_show_protocols_all_Active_unreachable.txt'), [
    starting('Node_10_99_5_5', '11:40:51', '10.99.5.5', 'Active', UNREACHABLE, { connectDelay: true }),
  ], 'v4_show_protocols_all_Active_unreachable.txt')
  t.strictSame(v4('v4_show_protocols_all_Connect_nohost.txt'), [
    starting('Node_10_99_0_77', '11:40:51', '10.99.0.77', 'Connect', NO_ROUTE),
  ], 'v4_show_protocols_all_Connect_nohost.txt')
  t.strictSame(v4('v4_show_protocols_all_Mesh_established.txt'), [
    mesh('Mesh_10_99_0_2', '11:40:23', '10.99.0.2', '10.99.0.1', 7, 3),
  ], 'v4_show_protocols_all_Mesh_established.txt')
  t.strictSame(v4('v4_show_protocols_all_down_disabled.txt'), [
    disabled('Node_disabled', '11:40:51', '10.99.0.88'),
  ], 'v4_show_protocols_all_down_disabled.txt')
  const established = [kernel1([4, 1, 0, 3], [0, 0]), device1, direct1, podBlocks, mesh('Mesh_10_99_0_2', '11:40:23', '10.99.0.2', '10.99.0.1', 7, 3)]
  t.strictSame(v4('v4_show_protocols_all_established.txt'), established, 'v4_show_protocols_all_established.txt')
  t.strictSame(v4('v4_show_protocols_all_mixed.txt'), [
    ...established,
    starting('Node_10_99_0_77', '11:40:51', '10.99.0.77', 'Active', NO_ROUTE, { connectDelay: true }),
    starting('Node_10_99_5_5', '11:40:51', '10.99.5.5', 'Active', UNREACHABLE, { connectDelay: true }),
    disabled('Node_disabled', '11:40:51', '10.99.0.88'),
  ], 'v4_show_protocols_all_mixed.txt')
})

t.test('birdc show protocols all fixtures, IPv6', async (t) => {
  const v6 = (f: string) => parseProtocolDetails(birdcLines(f))
  t.strictSame(v6('v6_show_protocols_all_Active_nohost.txt'), [
    starting('Node_fd99__77', '11:42:47', 'fd99::77', 'Active', NO_ROUTE, { connectDelay: true }),
  ], 'v6_show_protocols_all_Active_nohost.txt')
  t.strictSame(v6('v6_show_protocols_all_Active_unreachable.txt'), [
    starting('Node_fd99_5__5', '11:42:47', 'fd99:5::5', 'Active', UNREACHABLE, { connectDelay: true }),
  ], 'v6_show_protocols_all_Active_unreachable.txt')
  t.strictSame(v6('v6_show_protocols_all_Connect_nohost.txt'), [
    // This capture caught the row and the details before any error was recorded.
    starting('Node_fd99__77', '11:42:47', 'fd99::77', 'Connect', undefined),
  ], 'v6_show_protocols_all_Connect_nohost.txt')
  t.strictSame(v6('v6_show_protocols_all_Mesh_established.txt'), [
    mesh('Mesh_fd99__2', '11:40:23', 'fd99::2', 'fd99::1', 9, 3),
  ], 'v6_show_protocols_all_Mesh_established.txt')
  t.strictSame(v6('v6_show_protocols_all_down_disabled.txt'), [
    disabled('Node6_disabled', '11:42:47', 'fd99::88'),
  ], 'v6_show_protocols_all_down_disabled.txt')
  t.strictSame(v6('v6_show_protocols_all_established.txt'), [
    kernel1([4, 1, 0, 3], [0, 0]), device1, direct1, podBlocks, mesh('Mesh_fd99__2', '11:40:23', 'fd99::2', 'fd99::1', 9, 3),
  ], 'v6_show_protocols_all_established.txt')
})

t.test('lines BIRD prints in other situations', async (t) => {
  const [p] = parseProtocolDetails([
    'Peer_fe80 BGP      master   up     11:40:23    Established   ',
    '  Preference:     100',
    '  Input filter:   import_peer',
    '  Output filter:  (unnamed)',
    '  Import limit:   100',
    '    Action:       restart',
    '  Routes:         5 imported, 2 filtered, 1 exported, 4 preferred',
    '  BGP state:          Established',
    '    Neighbor address: fe80::2%eth0',
    '    Neighbor AS:      4200000001',
    '    Neighbor graceful restart active',
    '    Neighbor ID:      10.99.0.9',
    '    Neighbor caps:    refresh restart-aware llgr-able AS4 add-path-rx add-path-tx',
    '    Session:          external route-reflector route-server AS4 add-path-rx ext-messages',
    '    Source address:   fe80::1',
    '    Route limit:      5/100',
    '    Hold timer:       0/90',
    '    Keepalive timer:  12/30',
    '    Error wait:       3/60',
    '    Restart timer:    100/-',
  ])
  t.equal(p?.inputFilter, 'import_peer')
  t.equal(p?.outputFilter, '(unnamed)')
  t.strictSame(p?.routes, { imported: 5, filtered: 2, exported: 1, preferred: 4 })
  t.equal(p?.routeChangeStats, undefined)
  t.strictSame(p?.bgpDetails, {
    state: 'Established',
    neighborAddress: 'fe80::2',
    neighborInterface: 'eth0',
    neighborAs: 4200000001,
    neighborId: '10.99.0.9',
    neighborCapabilities: ['refresh', 'restart-aware', 'llgr-able', 'AS4', 'add-path-rx', 'add-path-tx'],
    session: { type: 'external', flags: ['route-reflector', 'route-server', 'AS4', 'add-path-rx', 'ext-messages'] },
    sourceAddress: 'fe80::1',
    holdTimer: { remaining: 0, configured: 90 },
    keepaliveTimer: { remaining: 12, configured: 30 },
    connectDelay: undefined,
    errorWait: { remaining: 3, configured: 60 },
    restartTimer: { remaining: 100, configured: undefined },
    routeLimit: { routes: 5, limit: 100 },
    lastError: undefined,
    gracefulRestartActive: true,
  })
})

t.test('unknown and malformed lines are skipped with a debug record, never thrown', async (t) => {
  const { log, records } = capturingLogger()
  const parser = createProtocolDetailsParser({ log })
  const lines = [
    '  Preference:     100', // before any protocol row
    'static1  Static   master   up     11:40:21    ',
    '  Preference:     lots',
    '  Channel ipv4', // BIRD 2 style
    '  Routes:         many',
    '    Import updates:    1 2 3',
    '  BGP state:          Dancing',
    '    Neighbor AS:      64512', // no BGP state accepted: not BGP details
    '',
    'bgp1     BGP      master   up     11:40:21    Established   ',
    '  BGP state:          Established',
    '    Neighbor AS:      64512',
    '    Hold timer:       soon',
  ]
  for (const l of lines) parser.push(l)
  const out = parser.end()
  t.equal(out.length, 2)
  t.equal(out[0]?.name, 'static1')
  t.equal(out[0]?.preference, undefined)
  t.equal(out[0]?.routes, undefined)
  t.equal(out[0]?.bgpDetails, undefined)
  t.equal(out[1]?.bgpDetails, undefined, 'BGP details without a neighbor address are dropped')
  await nextTurn()
  t.strictSame(records().map((r) => r.line ?? `protocol ${String(r.protocol)}`), [
    '  Preference:     100',
    '  Preference:     lots',
    '  Channel ipv4',
    '  Routes:         many',
    '    Import updates:    1 2 3',
    '  BGP state:          Dancing',
    '    Neighbor AS:      64512',
    '    Hold timer:       soon',
    'protocol bgp1',
  ])
})
