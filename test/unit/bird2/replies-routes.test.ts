import t from 'tap'
import type { BgpRouteAttributes, Route } from '../../../src/bird/replies/index.js'
import {
  Bird2RouteReader,
  parseRouteCount,
  parseRouteStream,
  parseRoutes,
  parseTableCountLine,
  routeFamily,
} from '../../../src/backends/bird2/replies/index.js'
import { bird2Fixture, bird2Lines } from '../../helpers/bird2-fixtures.js'
import { capturingLogger } from '../bird/log-capture.js'
import { bgpAttributes, routeWith } from '../bird/expected-replies.js'

const ms = (raw: string) => ({ format: 'time', raw, time: raw.slice(0, 8) }) as const
const type = (source: NonNullable<Route['type']>['source']) => ({ source, cast: 'unicast', scope: 'univ' }) as const

const route = routeWith(ms)
/** What BIRD 2 prints for every BGP route here: origin IGP, local pref 100. */
const bgpAttrs = (more: Partial<BgpRouteAttributes>): BgpRouteAttributes => bgpAttributes({ origin: 'IGP', localPref: 100, ...more })

const via = (gateway: string, iface: string) => ({ kind: 'via', gateway, interface: iface }) as const
const blackhole = { kind: 'blackhole' } as const

/** A block of node B as node A holds it: the iBGP path selected, the eBGP path with B's tags not. */
function bBlock(network: string, v6: boolean, linkLocal = 'fe80::cc68:faff:fec6:c06f'): Route[] {
  const meshGw = v6 ? 'fd99:50::2' : '10.99.50.2'
  const ebgpGw = v6 ? 'fd99:51::2' : '10.99.51.2'
  const ebgpHop = v6 ? `${ebgpGw} ${linkLocal}` : ebgpGw
  return [
    route(network, via(meshGw, 'fb2a0'), v6 ? 'Mesh_fd99_50__2' : 'Mesh_10_99_50_2', v6 ? '20:30:38.407' : '20:30:38.262', 100, {
      origin: 'IGP',
      type: type('BGP'),
      attributes: { 'BGP.origin': 'IGP', 'BGP.as_path': '', 'BGP.next_hop': meshGw, 'BGP.local_pref': '100' },
      bgp: bgpAttrs({ asPath: [], nextHop: [meshGw] }),
    }),
    route(network, via(ebgpGw, 'fb2a1'), 'Node_10_99_51_2', '20:30:38.287', 100, {
      placement: 'RIB',
      // Over an IPv4 session, the IPv6 routes' next hop is not the neighbor: BIRD says whom they came from.
      from: v6 ? '10.99.51.2' : undefined,
      originAs: 64513,
      origin: 'IGP',
      type: type('BGP'),
      attributes: {
        'BGP.origin': 'IGP',
        'BGP.as_path': '64513 64513',
        'BGP.next_hop': ebgpHop,
        'BGP.med': '50',
        'BGP.local_pref': '100',
        'BGP.community': '(64513,100) (65535,65281)',
        'BGP.ext_community': '(rt, 64513, 100)',
        'BGP.large_community': '(64513, 1, 2)',
      },
      bgp: bgpAttrs({
        asPath: [64513, 64513],
        nextHop: ebgpHop.split(' '),
        med: 50,
        communities: [
          [64513, 100],
          [65535, 65281],
        ],
        largeCommunities: [[64513, 1, 2]],
        extCommunities: ['rt, 64513, 100'],
      }),
    }),
  ]
}

const staticType = { type: type('static') }

/** Routes of node A's `show route all` pinned field by field, each with what makes it different. */
const A_PINNED: Route[] = [
  route('192.168.0.0/26', blackhole, 'blocks4', '20:30:34.403', 200, staticType),
  ...bBlock('192.168.0.128/26', false),
  ...bBlock('fd99:b::/122', true),
  route('10.99.60.0/24', via('10.99.50.2', 'fb2a0'), 'static4', '20:30:34.403', 200, staticType),
  route(
    '10.99.61.0/24',
    {
      kind: 'multipath',
      nextHops: [
        { gateway: '10.99.50.2', interface: 'fb2a0', weight: 1 },
        { gateway: '10.99.51.2', interface: 'fb2a1', weight: 1 },
      ],
    },
    'static4',
    '20:30:34.403',
    200,
    staticType,
  ),
  route('10.99.62.0/24', { kind: 'unreachable' }, 'static4', '20:30:34.403', 200, staticType),
  route('10.99.63.0/24', { kind: 'prohibit' }, 'static4', '20:30:34.403', 200, staticType),
  route('10.99.50.0/24', { kind: 'dev', interface: 'fb2a0' }, 'direct1', '20:30:34.423', 240, { type: type('device') }),
  route('10.99.70.0/24', via('10.99.50.2', 'fb2a0'), 'kernel4', '20:30:34.424', 10, {
    type: type('inherit'),
    attributes: { 'Kernel.source': '4', 'Kernel.metric': '0' },
  }),
  route('fd99:70::/64', via('fd99:50::2', 'fb2a0'), 'kernel6', '20:30:34.424', 10, {
    type: type('inherit'),
    attributes: { 'Kernel.source': '4', 'Kernel.metric': '1024' },
  }),
]

function pick(routes: Route[], want: Route): Route | undefined {
  return routes.find((r) => r.network === want.network && r.protocol === want.protocol)
}

/** What `show route` (without `all`) holds of a route. */
const brief = (r: Route): Route => ({ ...r, type: undefined, attributes: undefined, bgp: undefined })

/** Lines that start a path: "[protocol time…] … (preference…)". */
function pathLines(fixture: string): number {
  return bird2Fixture(fixture)
    .split('\n')
    .filter((l) => /\[\S+ [^\]]+\]( [*!])? \(\d+/.test(l)).length
}

t.test('show route all: representative routes, every field', async (t) => {
  const { log, records } = capturingLogger()
  const routes = parseRoutes(bird2Lines('raw_a_show_route_all.txt'), { log })
  for (const want of A_PINNED) t.strictSame(pick(routes, want), want, `${want.network} from ${want.protocol}`)
  t.strictSame(records(), [], 'every line understood, the "Table …:" lines included')
})

t.test('show route all: every path of node A, cross-checked with BIRD own counts', async (t) => {
  const routes = parseRoutes(bird2Lines('raw_a_show_route_all.txt'))
  const count = parseRouteCount(bird2Lines('raw_a_show_route_count.txt'))
  t.equal(routes.length, pathLines('raw_a_show_route_all.txt'), 'one route per path line')
  t.equal(routes.length, count.total, 'as many as `show route count` says')
  t.equal(new Set(routes.map((r) => r.network)).size, count.networks)
  t.equal(routes.filter((r) => r.placement === 'FIB').length, count.networks, 'one selected path per network')
  t.equal(routes.filter((r) => routeFamily(r) === 4).length, count.tables[0]!.total)
  t.equal(routes.filter((r) => routeFamily(r) === 6).length, count.tables[1]!.total)
  const kinds = new Map<string, number>()
  for (const r of routes) kinds.set(r.destination.kind, (kinds.get(r.destination.kind) ?? 0) + 1)
  t.strictSame(Object.fromEntries(kinds), { blackhole: 160, via: 323, multipath: 1, unreachable: 1, prohibit: 1, dev: 4 })
  // 100 + 60 blocks of B, each by two paths; the rest are A's own.
  const bgp = routes.filter((r) => r.type?.source === 'BGP')
  t.equal(bgp.length, 320)
  t.ok(bgp.every((r) => r.bgp !== undefined && r.bgp.origin === 'IGP' && r.bgp.localPref === 100), 'BGP attributes on every BGP path')
  t.equal(bgp.filter((r) => r.bgp!.communities?.length === 2).length, 160, 'communities on every eBGP path')
  t.ok(routes.every((r) => r.type !== undefined), 'a Type on every path')
  t.ok(routes.every((r) => r.since.format === 'time'), 'default time format, with milliseconds')
})

t.test('show route equals show route all without the detail lines', async (t) => {
  for (const [plainFixture, allFixture] of [
    ['raw_a_show_route.txt', 'raw_a_show_route_all.txt'],
    ['raw_b_show_route.txt', 'raw_b_show_route_all.txt'],
  ] as const) {
    const { log, records } = capturingLogger()
    const plain = parseRoutes(bird2Lines(plainFixture), { log })
    const all = parseRoutes(bird2Lines(allFixture))
    t.equal(plain.length, pathLines(plainFixture), `${plainFixture}: one route per path line`)
    t.strictSame(plain, all.map(brief), plainFixture)
    t.strictSame(records(), [])
  }
})

t.test('node B: iso long times, and B own blocks', async (t) => {
  const routes = parseRoutes(bird2Lines('raw_b_show_route_all.txt'))
  t.equal(routes.length, 491)
  t.ok(routes.every((r) => r.since.format === 'datetime'))
  t.strictSame(
    routes.find((r) => r.network === '192.168.0.128/26'),
    {
      ...route('192.168.0.128/26', blackhole, 'blocks4', '', 200, staticType),
      since: { format: 'datetime', raw: '2026-12-03 20:30:34', date: '2026-12-03', time: '20:30:34' },
    },
  )
  t.strictSame(routes.find((r) => r.network === '192.168.49.0/26'), {
    ...route('192.168.49.0/26', via('10.99.50.1', 'fb2b0'), 'Mesh_10_99_50_1', '', 100, {
      origin: 'IGP',
      type: type('BGP'),
      attributes: { 'BGP.origin': 'IGP', 'BGP.as_path': '', 'BGP.next_hop': '10.99.50.1', 'BGP.local_pref': '100' },
      bgp: bgpAttrs({ asPath: [], nextHop: ['10.99.50.1'] }),
    }),
    since: { format: 'datetime', raw: '2026-12-03 20:30:38', date: '2026-12-03', time: '20:30:38' },
  })
})

t.test('show route table master6 all: the IPv6 table alone', async (t) => {
  const { log, records } = capturingLogger()
  const v6 = parseRoutes(bird2Lines('raw_a_show_route_table_master6_all.txt'), { log })
  const all = parseRoutes(bird2Lines('raw_a_show_route_all.txt'))
  t.equal(v6.length, 183)
  t.ok(v6.every((r) => routeFamily(r) === 6))
  t.strictSame(
    v6.map((r) => [r.network, r.protocol]).sort(),
    all.filter((r) => routeFamily(r) === 6).map((r) => [r.network, r.protocol]).sort(),
  )
  t.strictSame(records(), [])
})

t.test('show route count: per table and the total', async (t) => {
  t.strictSame(parseRouteCount(bird2Lines('raw_a_show_route_count.txt')), {
    shown: 490,
    total: 490,
    networks: 330,
    tables: [
      { shown: 307, total: 307, networks: 207, table: 'master4' },
      { shown: 183, total: 183, networks: 123, table: 'master6' },
    ],
  })
  // One table alone prints no total line: the total is that table's.
  t.strictSame(parseRouteCount(['5 of 7 routes for 4 networks in table master4']), {
    shown: 5,
    total: 7,
    networks: 4,
    tables: [{ shown: 5, total: 7, networks: 4, table: 'master4' }],
  })
  t.equal(parseTableCountLine('5 of 7 routes for 4 networks'), undefined, 'the 1.6 form names no table')
  t.throws(() => parseRouteCount([]), { name: 'IncompleteReplyError' })
})

t.test('show route stats: the routes, then the counts', async (t) => {
  const lines = bird2Lines('raw_a_show_route_stats.txt')
  const { log, records } = capturingLogger()
  const routes = parseRoutes(lines, { log })
  t.strictSame(routes, parseRoutes(bird2Lines('raw_a_show_route.txt')), 'the same routes as show route')
  t.strictSame(records(), [], 'the count lines are known, not skipped')
  const { log: countLog, records: countRecords } = capturingLogger()
  t.strictSame(parseRouteCount(lines, { log: countLog }), parseRouteCount(bird2Lines('raw_a_show_route_count.txt')))
  t.equal(countRecords().length, lines.filter((l) => l.text !== '').length - 3, 'the route lines are logged as skipped')
  const { log: quietLog, records: quietRecords } = capturingLogger()
  parseRouteCount(lines, { log: quietLog, routesExpected: true })
  t.strictSame(quietRecords(), [], 'unless routes are expected')
})

t.test('streamed, a route at a time, as parsed whole', async (t) => {
  const lines = bird2Lines('raw_a_show_route_all.txt')
  async function* source() {
    for (const l of lines) yield l
  }
  const streamed: Route[] = []
  for await (const r of parseRouteStream(source())) streamed.push(r)
  t.strictSame(streamed, parseRoutes(lines))

  // The reader hands back a route only when the next one starts: detail lines may follow it.
  const reader = new Bird2RouteReader()
  t.equal(reader.push('10.99.61.0/24        unicast [static4 20:30:34.403] * (200)'), undefined)
  t.equal(reader.push('\tvia 10.99.50.2 on fb2a0 weight 1'), undefined)
  t.equal(reader.push('\tvia 10.99.51.2 on fb2a1 weight 2'), undefined)
  const done = reader.push('10.99.62.0/24        unreachable [static4 20:30:34.403] * (200)')
  t.strictSame(done?.destination, {
    kind: 'multipath',
    nextHops: [
      { gateway: '10.99.50.2', interface: 'fb2a0', weight: 1 },
      { gateway: '10.99.51.2', interface: 'fb2a1', weight: 2 },
    ],
  })
  t.strictSame(reader.end()?.destination, { kind: 'unreachable' })
})

t.test('malformed next-hop lines are skipped, not guessed', async (t) => {
  const { log, records } = capturingLogger()
  const routes = parseRoutes(
    [
      '10.99.60.0/24        unicast [static4 20:30:34.403] * (200)',
      '\tvia 10.99.50.2 on fb2a0',
      '\tvia 10.99.51.2 on fb2a1', // a second plain next hop: not BIRD's layout
      '10.99.62.0/24        blackhole [static4 20:30:34.403] * (200)',
      '\tdev fb2a0', // a blackhole has no device
    ],
    { log },
  )
  t.strictSame(routes.map((r) => r.destination), [via('10.99.50.2', 'fb2a0'), blackhole])
  t.equal(records().length, 2)
})
