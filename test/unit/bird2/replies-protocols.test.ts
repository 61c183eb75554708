import t from 'tap'
import { isErrorCode } from '../../../src/bird/control/index.js'
import {
  createProtocolDetailsParser,
  parseProtocolDetails,
  parseProtocols,
  protocolsForFamily,
  type Bird2BgpDetails,
  type Bird2ProtocolDetails,
  type ChannelDetails,
} from '../../../src/backends/bird2/replies/index.js'
import { peerRows } from '../../../src/status/peers.js'
import { routeStatuses } from '../../../src/status/populators/routes.js'
import { parseRoutes } from '../../../src/backends/bird2/replies/index.js'
import { bird2Lines, bird2Replies } from '../../helpers/bird2-fixtures.js'
import { capturingLogger } from '../bird/log-capture.js'
import { BGP_DETAILS_UNSET, routeChangeStats } from '../bird/expected-replies.js'

// ─── expected values, as printed in the captures ────────────────────────────

const ms = (raw: string) => ({ format: 'time', raw, time: raw.slice(0, 8) }) as const
const long = (raw: string) => ({ format: 'datetime', raw, date: raw.slice(0, 10), time: raw.slice(11, 19) }) as const

const stats = routeChangeStats
const imported = (n: number) => stats([n, 0, 0, 0, n], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0])

function channel(name: string, more: Partial<ChannelDetails>): ChannelDetails {
  return {
    name,
    state: 'UP',
    table: name === 'ipv4' ? 'master4' : 'master6',
    preference: 100,
    inputFilter: 'ACCEPT',
    outputFilter: 'REJECT',
    routes: undefined,
    routeChangeStats: undefined,
    bgpNextHop: undefined,
    igpTable: undefined,
    ...more,
  }
}
const counts = (imp: number, exp: number, pref: number) => ({ imported: imp, filtered: undefined, exported: exp, preferred: pref })
const down = (name: string, more: Partial<ChannelDetails> = {}) => channel(name, { state: 'DOWN', ...more })

const ALL_CAPS = ['refresh', 'restart-aware', 'AS4', 'enhanced-refresh', 'llgr-aware'] as const

function bgp(more: Partial<Bird2BgpDetails> & Pick<Bird2BgpDetails, 'state' | 'neighborAddress' | 'neighborAs'>): Bird2BgpDetails {
  return {
    ...BGP_DETAILS_UNSET,
    localAs: 64512,
    localFamilies: undefined,
    neighborFamilies: undefined,
    ...more,
  }
}

interface Row {
  name: string
  proto: string
  table?: string
  state?: Bird2ProtocolDetails['state']
  since: ReturnType<typeof ms> | ReturnType<typeof long>
  info?: string
  bgp?: Bird2ProtocolDetails['bgp']
  channels?: ChannelDetails[]
  bgpDetails?: Bird2BgpDetails
  routes?: Bird2ProtocolDetails['routes']
}

/** A protocol block; the 1.6 fields come from the only channel, when there is one. */
function proto(r: Row): Bird2ProtocolDetails {
  const channels = r.channels ?? []
  const only = channels.length === 1 ? channels[0] : undefined
  return {
    name: r.name,
    proto: r.proto,
    table: r.table ?? '---',
    state: r.state ?? 'up',
    since: r.since,
    info: r.info ?? '',
    bgp: r.bgp,
    preference: only?.preference,
    inputFilter: only?.inputFilter,
    outputFilter: only?.outputFilter,
    routes: r.routes ?? only?.routes,
    routeChangeStats: only?.routeChangeStats,
    bgpDetails: r.bgpDetails,
    channels,
  }
}

const A_START = ms('20:30:34.403')

/** Node A's `show protocols all`, every protocol and every field of it. */
const A_ALL: Bird2ProtocolDetails[] = [
  proto({ name: 'device1', proto: 'Device', since: A_START }),
  proto({
    name: 'direct1',
    proto: 'Direct',
    since: A_START,
    routes: counts(4, 0, 4),
    channels: [
      channel('ipv4', { preference: 240, routes: counts(2, 0, 2), routeChangeStats: imported(2) }),
      channel('ipv6', { preference: 240, routes: counts(2, 0, 2), routeChangeStats: imported(2) }),
    ],
  }),
  proto({
    name: 'kernel4',
    proto: 'Kernel',
    table: 'master4',
    since: A_START,
    channels: [
      channel('ipv4', {
        preference: 10,
        outputFilter: '(unnamed)',
        routes: counts(1, 100, 1),
        routeChangeStats: stats([1, 0, 0, 0, 1], [0, 0, 0, 0], [313, 1, 212, 100], [0, 0]),
      }),
    ],
  }),
  proto({
    name: 'kernel6',
    proto: 'Kernel',
    table: 'master6',
    since: A_START,
    channels: [
      channel('ipv6', {
        preference: 10,
        outputFilter: '(unnamed)',
        routes: counts(1, 60, 1),
        routeChangeStats: stats([1, 0, 0, 0, 1], [0, 0, 0, 0], [245, 1, 124, 120], [0, 0]),
      }),
    ],
  }),
  proto({
    name: 'static4',
    proto: 'Static',
    table: 'master4',
    since: A_START,
    channels: [channel('ipv4', { preference: 200, routes: counts(4, 0, 4), routeChangeStats: imported(4) })],
  }),
  proto({
    name: 'blocks4',
    proto: 'Static',
    table: 'master4',
    since: A_START,
    channels: [channel('ipv4', { preference: 200, routes: counts(100, 0, 100), routeChangeStats: imported(100) })],
  }),
  proto({
    name: 'blocks6',
    proto: 'Static',
    table: 'master6',
    since: A_START,
    channels: [channel('ipv6', { preference: 200, routes: counts(60, 0, 60), routeChangeStats: imported(60) })],
  }),
  proto({
    name: 'Mesh_10_99_50_2',
    proto: 'BGP',
    since: ms('20:30:38.172'),
    info: 'Established',
    bgp: { state: 'Established', lastError: undefined },
    bgpDetails: bgp({
      state: 'Established',
      neighborAddress: '10.99.50.2',
      neighborAs: 64512,
      neighborId: '10.99.50.2',
      neighborCapabilities: [...ALL_CAPS],
      session: { type: 'internal', flags: ['multihop', 'AS4'] },
      sourceAddress: '10.99.50.1',
      holdTimer: { remaining: 185.912, configured: 240 },
      keepaliveTimer: { remaining: 44.856, configured: 80 },
      localFamilies: ['ipv4'],
      neighborFamilies: ['ipv4'],
    }),
    channels: [
      channel('ipv4', {
        outputFilter: 'to_mesh',
        routes: counts(100, 104, 100),
        routeChangeStats: stats([100, 0, 0, 0, 100], [0, 0, 0, 0], [207, 100, 3, 104], [0, 0]),
        bgpNextHop: ['10.99.50.1'],
        igpTable: 'master4',
      }),
    ],
  }),
  proto({
    name: 'Mesh_fd99_50__2',
    proto: 'BGP',
    since: ms('20:30:38.351'),
    info: 'Established',
    bgp: { state: 'Established', lastError: undefined },
    bgpDetails: bgp({
      state: 'Established',
      neighborAddress: 'fd99:50::2',
      neighborAs: 64512,
      neighborId: '10.99.50.2',
      neighborCapabilities: [...ALL_CAPS],
      session: { type: 'internal', flags: ['multihop', 'AS4'] },
      sourceAddress: 'fd99:50::1',
      holdTimer: { remaining: 172.096, configured: 240 },
      keepaliveTimer: { remaining: 45.335, configured: 80 },
      localFamilies: ['ipv6'],
      neighborFamilies: ['ipv6'],
    }),
    channels: [
      channel('ipv6', {
        outputFilter: 'to_mesh',
        routes: counts(60, 60, 60),
        routeChangeStats: stats([60, 0, 0, 0, 60], [0, 0, 0, 0], [183, 60, 63, 60], [0, 0]),
        bgpNextHop: ['fd99:50::1'],
        igpTable: 'master6',
      }),
    ],
  }),
  proto({
    name: 'Node_10_99_51_2',
    proto: 'BGP',
    since: ms('20:30:38.287'),
    info: 'Established',
    bgp: { state: 'Established', lastError: undefined },
    // Two channels: the 1.6 `routes` is their sum, the other 1.6 fields undefined.
    routes: counts(160, 164, 0),
    bgpDetails: bgp({
      state: 'Established',
      neighborAddress: '10.99.51.2',
      neighborAs: 64513,
      neighborId: '10.99.50.2',
      neighborCapabilities: [...ALL_CAPS],
      session: { type: 'external', flags: ['AS4'] },
      sourceAddress: '10.99.51.1',
      holdTimer: { remaining: 210.726, configured: 240 },
      keepaliveTimer: { remaining: 53.636, configured: 80 },
      localFamilies: ['ipv4', 'ipv6'],
      neighborFamilies: ['ipv4', 'ipv6'],
    }),
    channels: [
      channel('ipv4', {
        outputFilter: 'to_mesh',
        routes: counts(100, 104, 0),
        routeChangeStats: stats([100, 0, 0, 0, 100], [0, 0, 0, 0], [207, 0, 103, 104], [0, 0]),
        bgpNextHop: ['10.99.51.1'],
      }),
      channel('ipv6', {
        outputFilter: 'to_mesh',
        routes: counts(60, 60, 0),
        routeChangeStats: stats([60, 0, 0, 0, 60], [0, 0, 0, 0], [183, 60, 63, 60], [0, 0]),
        bgpNextHop: ['fd99:51::1', 'fe80::b8b7:a6ff:fe46:267b'],
      }),
    ],
  }),
  proto({
    name: 'Global_10_99_50_9',
    proto: 'BGP',
    state: 'start',
    since: A_START,
    info: 'Connect       Socket: No route to host',
    bgp: { state: 'Connect', lastError: 'Socket: No route to host' },
    bgpDetails: bgp({ state: 'Connect', neighborAddress: '10.99.50.9', neighborAs: 64599, lastError: 'Socket: No route to host' }),
    channels: [down('ipv4')],
  }),
  proto({
    name: 'Global_fd99_50__9',
    proto: 'BGP',
    state: 'start',
    since: A_START,
    info: 'Connect',
    bgp: { state: 'Connect', lastError: undefined },
    bgpDetails: bgp({ state: 'Connect', neighborAddress: 'fd99:50::9', neighborAs: 64599 }),
    channels: [down('ipv6')],
  }),
  proto({
    name: 'Global_10_99_50_2_port_1790',
    proto: 'BGP',
    state: 'start',
    since: A_START,
    info: 'Active        Socket: Connection refused',
    bgp: { state: 'Active', lastError: 'Socket: Connection refused' },
    bgpDetails: bgp({
      state: 'Active',
      neighborAddress: '10.99.50.2',
      neighborAs: 64512,
      connectDelay: { remaining: 1.278, configured: 5 },
      lastError: 'Socket: Connection refused',
    }),
    channels: [down('ipv4', { igpTable: 'master4' })],
  }),
  proto({
    name: 'Node_10_99_50_7',
    proto: 'BGP',
    state: 'down',
    since: A_START,
    bgp: { state: 'Down', lastError: undefined },
    bgpDetails: bgp({ state: 'Down', neighborAddress: '10.99.50.7', neighborAs: 64512 }),
    channels: [down('ipv4', { igpTable: 'master4' })],
  }),
]

// ─── show protocols ──────────────────────────────────────────────────────────

t.test('show protocols: the 1.6 parser reads BIRD 2 rows (capitalised header, ms times)', async (t) => {
  const { log, records } = capturingLogger()
  const rows = parseProtocols(bird2Lines('raw_a_show_protocols.txt'), { log })
  t.strictSame(
    rows,
    A_ALL.map(({ name, proto, table, state, since, info, bgp }) => ({ name, proto, table, state, since, info, bgp })),
  )
  t.strictSame(records(), [], 'no line skipped, the header included')
})

t.test('show protocols with `timeformat protocol iso long`', async (t) => {
  const { log, records } = capturingLogger()
  const rows = parseProtocols(bird2Lines('raw_b_show_protocols.txt'), { log })
  const since = long('2026-12-03 20:30:34')
  const est = { info: 'Established', bgp: { state: 'Established', lastError: undefined } } as const
  t.strictSame(rows, [
    { name: 'device1', proto: 'Device', table: '---', state: 'up', since, info: '', bgp: undefined },
    { name: 'direct1', proto: 'Direct', table: '---', state: 'up', since, info: '', bgp: undefined },
    { name: 'kernel4', proto: 'Kernel', table: 'master4', state: 'up', since, info: '', bgp: undefined },
    { name: 'kernel6', proto: 'Kernel', table: 'master6', state: 'up', since, info: '', bgp: undefined },
    { name: 'blocks4', proto: 'Static', table: 'master4', state: 'up', since, info: '', bgp: undefined },
    { name: 'blocks6', proto: 'Static', table: 'master6', state: 'up', since, info: '', bgp: undefined },
    { name: 'Mesh_10_99_50_1', proto: 'BGP', table: '---', state: 'up', since: long('2026-12-03 20:30:38'), ...est },
    { name: 'Mesh_fd99_50__1', proto: 'BGP', table: '---', state: 'up', since: long('2026-12-03 20:30:38'), ...est },
    { name: 'Node_10_99_51_1', proto: 'BGP', table: '---', state: 'up', since: long('2026-12-03 20:30:38'), ...est },
  ])
  t.strictSame(records(), [])
})

// ─── show protocols all ─────────────────────────────────────────────────────

t.test('show protocols all: every protocol, channel and field of node A', async (t) => {
  const { log, records } = capturingLogger()
  const got = parseProtocolDetails(bird2Lines('raw_a_show_protocols_all.txt'), { log })
  t.equal(got.length, A_ALL.length)
  for (let i = 0; i < A_ALL.length; i++) t.strictSame(got[i], A_ALL[i], A_ALL[i]!.name)
  t.strictSame(records(), [], 'every line understood')
})

t.test('show protocols all NAME: one protocol', async (t) => {
  const got = parseProtocolDetails(bird2Lines('raw_a_show_protocols_all_Node_10_99_51_2.txt'))
  t.equal(got.length, 1)
  const want = A_ALL.find((p) => p.name === 'Node_10_99_51_2')!
  // Recorded a moment after the full list: only the timers moved.
  t.strictSame({ ...got[0], bgpDetails: { ...got[0]!.bgpDetails, holdTimer: undefined, keepaliveTimer: undefined } }, {
    ...want,
    bgpDetails: { ...want.bgpDetails, holdTimer: undefined, keepaliveTimer: undefined },
  })
  t.equal(got[0]!.bgpDetails!.holdTimer!.configured, 240)
  t.ok(got[0]!.bgpDetails!.holdTimer!.remaining > 0 && got[0]!.bgpDetails!.holdTimer!.remaining <= 240)
  t.equal(got[0]!.bgpDetails!.keepaliveTimer!.configured, 80)
})

t.test('show protocols all of node B (iso long, eBGP from the other side)', async (t) => {
  const { log, records } = capturingLogger()
  const got = parseProtocolDetails(bird2Lines('raw_b_show_protocols_all.txt'), { log })
  t.strictSame(records(), [])
  t.strictSame(
    got.map((p) => [p.name, p.since.raw, p.channels.map((c) => `${c.name}:${c.state}:${c.table}`).join(' ')]),
    [
      ['device1', '2026-12-03 20:30:34', ''],
      ['direct1', '2026-12-03 20:30:34', 'ipv4:UP:master4 ipv6:UP:master6'],
      ['kernel4', '2026-12-03 20:30:34', 'ipv4:UP:master4'],
      ['kernel6', '2026-12-03 20:30:34', 'ipv6:UP:master6'],
      ['blocks4', '2026-12-03 20:30:34', 'ipv4:UP:master4'],
      ['blocks6', '2026-12-03 20:30:34', 'ipv6:UP:master6'],
      ['Mesh_10_99_50_1', '2026-12-03 20:30:38', 'ipv4:UP:master4'],
      ['Mesh_fd99_50__1', '2026-12-03 20:30:38', 'ipv6:UP:master6'],
      ['Node_10_99_51_1', '2026-12-03 20:30:38', 'ipv4:UP:master4 ipv6:UP:master6'],
    ],
  )
  const mesh = got.find((p) => p.name === 'Mesh_10_99_50_1')!
  t.strictSame(mesh.channels[0], channel('ipv4', {
    outputFilter: 'to_mesh',
    routes: counts(103, 100, 103),
    routeChangeStats: stats([103, 0, 0, 0, 103], [1, 0, 1, 0], [206, 103, 3, 100], [0, 0]),
    bgpNextHop: ['10.99.50.2'],
    igpTable: 'master4',
  }))
  t.strictSame(mesh.bgpDetails, bgp({
    state: 'Established',
    neighborAddress: '10.99.50.1',
    neighborAs: 64512,
    neighborId: '10.99.50.1',
    neighborCapabilities: [...ALL_CAPS],
    session: { type: 'internal', flags: ['multihop', 'AS4'] },
    sourceAddress: '10.99.50.2',
    holdTimer: { remaining: 197.805, configured: 240 },
    keepaliveTimer: { remaining: 51.027, configured: 80 },
    localFamilies: ['ipv4'],
    neighborFamilies: ['ipv4'],
  }))
  const ebgp = got.find((p) => p.name === 'Node_10_99_51_1')!
  t.equal(ebgp.bgpDetails!.localAs, 64513, 'the per-protocol local AS')
  t.equal(ebgp.bgpDetails!.neighborAs, 64512)
  t.strictSame(ebgp.bgpDetails!.session, { type: 'external', flags: ['AS4'] })
  t.strictSame(ebgp.channels.map((c) => c.outputFilter), ['tagged', 'tagged'])
})

t.test('show protocols all: replies without protocols', async (t) => {
  // 8003 for a pattern that matches nothing; 9001 for an unknown bare name (a syntax error in 2.x).
  for (const [fixture, code, text] of [
    ['raw_a_show_protocols_pattern_nomatch.txt', 8003, 'No protocols match'],
    ['raw_a_show_protocols_undefined.txt', 9001, 'syntax error, unexpected CF_SYM_UNDEFINED, expecting END or CF_SYM_KNOWN or TEXT'],
  ] as const) {
    const lines = bird2Lines(fixture)
    t.strictSame(lines, [{ kind: 'final', code, text }], fixture)
    t.ok(isErrorCode(code))
    const { log, records } = capturingLogger()
    t.strictSame(parseProtocolDetails(lines, { log }), [])
    t.equal(records().length, 1, 'the error line is logged as skipped')
  }
})

t.test('lines pushed one at a time give the same result', async (t) => {
  const parser = createProtocolDetailsParser()
  for (const line of bird2Lines('raw_a_show_protocols_all.txt')) parser.push(line.text)
  t.strictSame(parser.end(), A_ALL)
})

// ─── one family's view for the shared status model ──────────────────────────

t.test('protocolsForFamily: each family sees its own channels and route counts', async (t) => {
  const v4 = protocolsForFamily(A_ALL, 4)
  const v6 = protocolsForFamily(A_ALL, 6)
  t.strictSame(v4.map((p) => p.name), [
    'device1', 'direct1', 'kernel4', 'static4', 'blocks4', 'Mesh_10_99_50_2', 'Node_10_99_51_2',
    'Global_10_99_50_9', 'Global_10_99_50_2_port_1790', 'Node_10_99_50_7',
  ])
  t.strictSame(v6.map((p) => p.name), ['device1', 'direct1', 'kernel6', 'blocks6', 'Mesh_fd99_50__2', 'Node_10_99_51_2', 'Global_fd99_50__9'])
  const dual4 = v4.find((p) => p.name === 'Node_10_99_51_2')!
  const dual6 = v6.find((p) => p.name === 'Node_10_99_51_2')!
  t.strictSame(dual4.routes, counts(100, 104, 0))
  t.strictSame(dual6.routes, counts(60, 60, 0))
  t.equal(dual4.table, 'master4')
  t.equal(dual6.table, 'master6')
  t.equal(dual6.outputFilter, 'to_mesh')
  t.strictSame(dual6.routeChangeStats, A_ALL.find((p) => p.name === 'Node_10_99_51_2')!.channels[1]!.routeChangeStats)
  t.strictSame(v4.find((p) => p.name === 'direct1')!.routes, counts(2, 0, 2), 'a two-channel protocol: its own family only')
  t.equal(v4.find((p) => p.name === 'Global_10_99_50_9')!.routes, undefined, 'a down channel has no counts')
})

t.test('the shared peer model reads the family views as it reads bird and bird6', async (t) => {
  const rows4 = peerRows(protocolsForFamily(A_ALL, 4), 4)
  const rows6 = peerRows(protocolsForFamily(A_ALL, 6), 6)
  t.strictSame(
    rows4.map((r) => [r.protocol, r.peerIP, r.type, r.state, r.bgpState, r.info]),
    [
      ['Mesh_10_99_50_2', '10.99.50.2', 'NodeMesh', 'up', 'Established', 'Established'],
      ['Node_10_99_51_2', '10.99.51.2', 'NodePeer', 'up', 'Established', 'Established'],
      ['Global_10_99_50_9', '10.99.50.9', 'GlobalPeer', 'start', 'Connect', 'Connect Socket: No route to host'],
      ['Global_10_99_50_2_port_1790', '10.99.50.2', 'GlobalPeer', 'start', 'Active', 'Active Socket: Connection refused'],
      ['Node_10_99_50_7', '10.99.50.7', 'NodePeer', 'down', '', ''],
    ],
  )
  t.strictSame(
    rows6.map((r) => [r.protocol, r.peerIP, r.type, r.bgpState]),
    [
      ['Mesh_fd99_50__2', 'fd99:50::2', 'NodeMesh', 'Established'],
      // The one session carries IPv6 too: BIRD dials its IPv4 neighbor address.
      ['Node_10_99_51_2', '10.99.51.2', 'NodePeer', 'Established'],
      ['Global_fd99_50__9', 'fd99:50::9', 'GlobalPeer', 'Connect'],
    ],
  )
})

t.test('routes of one daemon sort into the two families of CalicoNodeStatus', async (t) => {
  const routes = parseRoutes(bird2Lines('raw_a_show_route.txt'))
  const v6 = routeStatuses({ routes: routes.filter((r) => r.network.includes(':')), protocols: protocolsForFamily(A_ALL, 6) }, 6)
  const block = v6.filter((r) => r.destination === 'fd99:b::/122')
  t.strictSame(block, [
    { type: 'FIB', destination: 'fd99:b::/122', gateway: 'fd99:50::2', interface: 'fb2a0', learnedFrom: { sourceType: 'NodeMesh', peerIP: 'fd99:50::2' } },
    { type: 'RIB', destination: 'fd99:b::/122', gateway: 'fd99:51::2', interface: 'fb2a1', learnedFrom: { sourceType: 'BGPPeer', peerIP: '10.99.51.2' } },
  ])
  const v4 = routeStatuses({ routes: routes.filter((r) => !r.network.includes(':')), protocols: protocolsForFamily(A_ALL, 4) }, 4)
  t.strictSame(v4.find((r) => r.destination === '10.99.70.0/24'), {
    type: 'FIB', destination: '10.99.70.0/24', gateway: '10.99.50.2', interface: 'fb2a0', learnedFrom: { sourceType: 'Kernel' },
  })
  t.strictSame(v4.find((r) => r.destination === '10.99.61.0/24'), {
    type: 'FIB', destination: '10.99.61.0/24', gateway: '10.99.50.2', interface: 'fb2a0', learnedFrom: { sourceType: 'Static' },
  })
})

t.test('two commands on one connection: the protocols reply', async (t) => {
  const [, protocols] = bird2Replies('raw_a_two_commands_one_connection.txt')
  const rows = parseProtocols(protocols!)
  t.equal(rows.length, 14)
  t.strictSame(rows.map((p) => p.name), A_ALL.map((p) => p.name), 'BIRD 2 keeps restarted protocols in place')
  // Taken after the configure captures: the peers that `configure` restarted have new times.
  const restarted = rows.filter((p) => p.since.raw !== A_ALL.find((q) => q.name === p.name)!.since.raw)
  t.strictSame(
    restarted.map((p) => [p.name, p.since, p.info]),
    [
      ['Global_10_99_50_9', ms('20:31:04.747'), 'Active'],
      ['Node_10_99_50_7', ms('20:31:04.739'), ''],
    ],
  )
})
