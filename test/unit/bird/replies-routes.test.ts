import t from 'tap'
import { setImmediate as nextTurn } from 'node:timers/promises'
import {
  RouteReader,
  parseRouteCount,
  parseRouteCountLine,
  parseRouteStream,
  parseRoutes,
  type Route,
  type RouteType,
} from '../../../src/bird/replies/index.js'
import { birdFixture } from '../../helpers/fixtures.js'
import { birdcLines, rawLines } from './fixture-lines.js'
import { capturingLogger } from './log-capture.js'
import { bgpAttributes, routeWith } from './expected-replies.js'

const time = (raw: string) => ({ format: 'time', raw, time: raw }) as const
const type = (source: RouteType['source']): RouteType => ({ source, cast: 'unicast', scope: 'univ' })

const route = routeWith(time)
const bgpAttrs = bgpAttributes

const blackhole = { kind: 'blackhole' } as const
const dev = (iface: string) => ({ kind: 'dev', interface: iface }) as const
const via = (gateway: string, iface: string) => ({ kind: 'via', gateway, interface: iface }) as const

/** The BGP route of the fixtures: "(100/0) [i]", and with `all` its four attributes. */
function learned(network: string, gw: string, iface: string, proto: string, since: string, all: boolean): Route {
  return route(network, via(gw, iface), proto, since, 100, {
    igpMetric: 0,
    origin: 'IGP',
    ...(all && {
      type: type('BGP'),
      attributes: { 'BGP.origin': 'IGP', 'BGP.as_path': '', 'BGP.next_hop': gw, 'BGP.local_pref': '100' },
      bgp: bgpAttrs({ origin: 'IGP', asPath: [], nextHop: [gw], localPref: 100 }),
    }),
  })
}
const withType = (r: Route, source: RouteType['source'], all: boolean): Route => (all ? { ...r, type: type(source) } : r)

function v4NodeA(all: boolean, bgpSince: string): Route[] {
  return [
    withType(route('192.168.10.0/26', blackhole, 'pod_blocks', '11:40:21', 200), 'static', all),
    learned('192.168.20.0/26', '10.99.0.2', 'veth-a', 'Mesh_10_99_0_2', bgpSince, all),
    withType(route('10.99.0.0/24', dev('veth-a'), 'direct1', '11:40:21', 240), 'device', all),
  ]
}
function v4NodeB(all: boolean): Route[] {
  return [
    learned('192.168.10.0/26', '10.99.0.1', 'veth-b', 'Mesh_10_99_0_1', '11:40:23', all),
    withType(route('192.168.20.0/26', blackhole, 'pod_blocks', '11:40:21', 200), 'static', all),
    withType(route('10.99.0.0/24', dev('veth-b'), 'direct1', '11:40:21', 240), 'device', all),
  ]
}
function v6NodeA(all: boolean): Route[] {
  return [
    withType(route('fd99::/64', dev('veth-a'), 'direct1', '11:40:21', 240), 'device', all),
    withType(route('fd99:100:0:10::/122', blackhole, 'pod_blocks', '11:40:21', 200), 'static', all),
    learned('fd99:100:0:20::/122', 'fd99::2', 'veth-a', 'Mesh_fd99__2', '11:40:23', all),
  ]
}
function v6NodeB(all: boolean): Route[] {
  return [
    withType(route('fd99::/64', dev('veth-b'), 'direct1', '11:40:21', 240), 'device', all),
    learned('fd99:100:0:10::/122', 'fd99::1', 'veth-b', 'Mesh_fd99__1', '11:40:23', all),
    withType(route('fd99:100:0:20::/122', blackhole, 'pod_blocks', '11:40:21', 200), 'static', all),
  ]
}

t.test('raw show route [all] fixtures', async (t) => {
  t.strictSame(parseRoutes(rawLines('raw_v4_show_route.txt')), v4NodeA(false, '11:42:35'), 'raw_v4_show_route.txt')
  t.strictSame(parseRoutes(rawLines('raw_v4_show_route_all.txt')), v4NodeA(true, '11:42:35'), 'raw_v4_show_route_all.txt')
  t.strictSame(parseRoutes(rawLines('raw_v6_show_route.txt')), v6NodeA(false), 'raw_v6_show_route.txt')
  t.strictSame(parseRoutes(rawLines('raw_v6_show_route_all.txt')), v6NodeA(true), 'raw_v6_show_route_all.txt')
})

t.test('birdc show route [all] fixtures', async (t) => {
  const p = (f: string) => parseRoutes(birdcLines(f))
  t.strictSame(p('v4_show_route_node-a.txt'), v4NodeA(false, '11:40:23'), 'v4_show_route_node-a.txt')
  t.strictSame(p('v4_show_route_all_node-a.txt'), v4NodeA(true, '11:40:23'), 'v4_show_route_all_node-a.txt')
  t.strictSame(p('v4_show_route_node-b.txt'), v4NodeB(false), 'v4_show_route_node-b.txt')
  t.strictSame(p('v4_show_route_all_node-b.txt'), v4NodeB(true), 'v4_show_route_all_node-b.txt')
  t.strictSame(p('v6_show_route_node-a.txt'), v6NodeA(false), 'v6_show_route_node-a.txt')
  t.strictSame(p('v6_show_route_all_node-a.txt'), v6NodeA(true), 'v6_show_route_all_node-a.txt')
  t.strictSame(p('v6_show_route_node-b.txt'), v6NodeB(false), 'v6_show_route_node-b.txt')
  t.strictSame(p('v6_show_route_all_node-b.txt'), v6NodeB(true), 'v6_show_route_all_node-b.txt')
})

/** `ip route` lines of routes BIRD installed (`proto bird`), as "network via|blackhole". */
function kernelRoutes(fixture: string): string[] {
  return birdFixture(fixture)
    .split('\n')
    .filter((l) => / proto bird\b/.test(l))
    .map((l) => {
      const w = l.trim().split(/\s+/)
      return w[0] === 'blackhole' ? `${w[1]} blackhole` : `${w[0]} via ${w[w.indexOf('via') + 1]}`
    })
    .sort()
}

t.test('the FIB routes BIRD shows are the ones the kernel holds (ip route fixtures)', async (t) => {
  const pairs = [
    ['v4_show_route_node-a.txt', 'ip_route_node-a.txt'],
    ['v4_show_route_node-b.txt', 'ip_route_node-b.txt'],
    ['v6_show_route_node-a.txt', 'ip6_route_node-a.txt'],
    ['v6_show_route_node-b.txt', 'ip6_route_node-b.txt'],
  ] as const
  for (const [bird, kernel] of pairs) {
    // BIRD exports its FIB routes except the directly connected ones (the kernel made those).
    const exported = parseRoutes(birdcLines(bird))
      .filter((r) => r.placement === 'FIB' && r.destination.kind !== 'dev')
      .map((r) => `${r.network} ${r.destination.kind === 'via' ? `via ${r.destination.gateway}` : r.destination.kind}`)
      .sort()
    t.strictSame(exported, kernelRoutes(kernel), `${bird} ↔ ${kernel}`)
    t.equal(exported.length, 2)
  }
})

t.test('show route count', async (t) => {
  t.strictSame(parseRouteCount(birdcLines('v4_show_route_count.txt')), { shown: 5, total: 5, networks: 4 }, 'v4_show_route_count.txt')
  t.strictSame(parseRouteCount([{ text: '1000000 of 1250000 routes for 750000 networks' }, { text: '' }]), {
    shown: 1_000_000,
    total: 1_250_000,
    networks: 750_000,
  })
  t.equal(parseRouteCountLine('5 of 5 routes for four networks'), undefined)
  t.equal(parseRouteCountLine('5 of 5 routes'), undefined)
  t.throws(() => parseRouteCount(['BIRD 1.6.8 ready.']), { name: 'IncompleteReplyError' })
})

t.test('several paths to one network; continuation lines leave the network blank', async (t) => {
  const routes = parseRoutes([
    '192.168.30.0/26    via 10.99.0.3 on eth0 [Mesh_10_99_0_3 11:42:35] * (100/10) [AS64513i]',
    '                   via 10.99.0.4 on eth0 [Mesh_10_99_0_4 11:42:36 from 10.99.0.9] (100/20) [AS64514e]',
    '                   unreachable [static_bk 2026-11-20] (200)',
    '192.168.40.0/26    prohibited [static1 2026-11-22 11:40:21] ! (200)',
    '192.168.50.0/26    via 10.99.0.5 on eth1 [Mesh_10_99_0_5 11:42:35] (100-/-) [?]',
    '192.168.60.0/26    via 10.99.0.6 on eth1 [Mesh_10_99_0_6 11:42:35] * (100/?) []',
  ])
  t.strictSame(routes, [
    route('192.168.30.0/26', via('10.99.0.3', 'eth0'), 'Mesh_10_99_0_3', '11:42:35', 100, { igpMetric: 10, originAs: 64513, origin: 'IGP' }),
    route('192.168.30.0/26', via('10.99.0.4', 'eth0'), 'Mesh_10_99_0_4', '11:42:36', 100, {
      from: '10.99.0.9', placement: 'RIB', igpMetric: 20, originAs: 64514, origin: 'EGP',
    }),
    route('192.168.30.0/26', { kind: 'unreachable' }, 'static_bk', '', 200, {
      placement: 'RIB', since: { format: 'date', raw: '2026-11-20', date: '2026-11-20' },
    }),
    route('192.168.40.0/26', { kind: 'prohibit' }, 'static1', '', 200, {
      kernelSyncError: true,
      since: { format: 'datetime', raw: '2026-11-22 11:40:21', date: '2026-11-22', time: '11:40:21' },
    }),
    route('192.168.50.0/26', via('10.99.0.5', 'eth1'), 'Mesh_10_99_0_5', '11:42:35', 100, {
      placement: 'RIB', igpMetric: 'unresolvable', origin: 'Incomplete',
    }),
    route('192.168.60.0/26', via('10.99.0.6', 'eth1'), 'Mesh_10_99_0_6', '11:42:35', 100, { igpMetric: 'unknown' }),
  ])
})

t.test('multipath routes collect their next hops', async (t) => {
  const routes = parseRoutes([
    '10.99.70.0/24      multipath [static_ecmp 11:40:21] * (200)',
    '\tvia 10.99.0.2 on eth0 weight 1',
    '\tvia 10.99.0.3 on eth1 weight 3',
    '\tType: static unicast univ',
    '10.99.71.0/24      dev eth0 [direct1 11:40:21] * (240)',
  ])
  t.strictSame(routes, [
    route('10.99.70.0/24', {
      kind: 'multipath',
      nextHops: [
        { gateway: '10.99.0.2', interface: 'eth0', weight: 1 },
        { gateway: '10.99.0.3', interface: 'eth1', weight: 3 },
      ],
    }, 'static_ecmp', '11:40:21', 200, { type: type('static') }),
    route('10.99.71.0/24', dev('eth0'), 'direct1', '11:40:21', 240),
  ])
})

t.test('show route all: every BGP attribute BIRD 1.6 prints, wrapped community lists too', async (t) => {
  const [r] = parseRoutes([
    '1007-10.99.80.0/24      via 10.99.0.2 on eth0 [Peer_1 11:42:35 from 10.99.0.9] * (100/0) [AS64515i]',
    '1008-\tType: BGP unicast univ',
    '1012-\tBGP.origin: IGP',
    '\tBGP.as_path: 64513 {64514 64516} 64515',
    '\tBGP.next_hop: fd99::2 fe80::2',
    '\tBGP.med: 50',
    '\tBGP.local_pref: 120',
    '\tBGP.atomic_aggr: ',
    '\tBGP.aggregator: 10.99.0.7 AS64513',
    '\tBGP.community: (64512,100) (64512,200)',
    '\t\t(65535,65281)',
    '\tBGP.originator_id: 10.99.0.9',
    '\tBGP.cluster_list: 10.99.0.1 10.99.0.2',
    '\tBGP.ext_community: (rt, 64512, 100) (ro, 10.0.0.1, 7)',
    '\tBGP.large_community: (64512, 1, 2)',
    '\tBGP.0x63: [t] 01 02',
    '\tOSPF.metric1: 10',
  ].map((l) => ({ text: l.replace(/^\d{4}-/, '') })))
  t.strictSame(r?.bgp, bgpAttrs({
    origin: 'IGP',
    asPath: [64513, [64514, 64516], 64515],
    nextHop: ['fd99::2', 'fe80::2'],
    med: 50,
    localPref: 120,
    atomicAggregate: true,
    aggregator: '10.99.0.7 AS64513',
    communities: [[64512, 100], [64512, 200], [65535, 65281]],
    largeCommunities: [[64512, 1, 2]],
    extCommunities: ['rt, 64512, 100', 'ro, 10.0.0.1, 7'],
    originatorId: '10.99.0.9',
    clusterList: ['10.99.0.1', '10.99.0.2'],
  }))
  t.equal(r?.attributes?.['BGP.0x63'], '[t] 01 02')
  t.equal(r?.attributes?.['OSPF.metric1'], '10')
  t.equal(r?.attributes?.['BGP.community'], '(64512,100) (64512,200) (65535,65281)')
  t.equal(r?.from, '10.99.0.9')
  t.equal(r?.originAs, 64515)
})

t.test('unknown lines are skipped with a debug record, never thrown', async (t) => {
  const { log, records } = capturingLogger()
  const routes = parseRoutes([
    'BIRD 1.6.8 ready.',
    '\tBGP.origin: IGP', // before any route
    '   via 1.2.3.4 on eth0 [x 11:40:21] * (100)', // a continuation with no network before it
    '192.168.10.0/26    blackhole [pod_blocks 11:40:21] * (200)',
    '\tType: static unicast galactic',
    '\tvia 10.99.0.2 on eth0 weight 1', // a next hop under a non-multipath route
    '\tno colon here',
    'Table master:',
    '192.168.11.0/26    teleport [pod_blocks 11:40:21] * (200)',
    '192.168.12.0/26    blackhole [pod_blocks 11:40:21] *',
    '5 of 5 routes for 4 networks',
  ], { log })
  t.strictSame(routes, [route('192.168.10.0/26', blackhole, 'pod_blocks', '11:40:21', 200)])
  await nextTurn()
  t.strictSame(records().map((r) => r.line), [
    '\tBGP.origin: IGP',
    '   via 1.2.3.4 on eth0 [x 11:40:21] * (100)',
    '\tType: static unicast galactic',
    '\tvia 10.99.0.2 on eth0 weight 1',
    '\tno colon here',
    'Table master:',
    '192.168.11.0/26    teleport [pod_blocks 11:40:21] * (200)',
    '192.168.12.0/26    blackhole [pod_blocks 11:40:21] *',
    '5 of 5 routes for 4 networks',
  ])
})

t.test('parseRouteStream yields the same routes from an async source, one behind', async (t) => {
  const lines = rawLines('raw_v4_show_route_all.txt')
  async function* source() {
    for (const l of lines) {
      await nextTurn()
      yield l
    }
  }
  const got: Route[] = []
  for await (const r of parseRouteStream(source())) got.push(r)
  t.strictSame(got, v4NodeA(true, '11:42:35'))

  const reader = new RouteReader()
  t.equal(reader.push('192.168.10.0/26    blackhole [pod_blocks 11:40:21] * (200)'), undefined, 'the first route waits for its attributes')
  t.equal(reader.push('\tType: static unicast univ'), undefined)
  t.equal(reader.push('10.99.0.0/24       dev veth-a [direct1 11:40:21] * (240)')?.network, '192.168.10.0/26')
  t.equal(reader.end()?.network, '10.99.0.0/24')
  t.equal(reader.end(), undefined)
})

t.test('leaving a parseRouteStream loop early returns the source iterator', async (t) => {
  let returned = false
  const source: AsyncIterable<string> = {
    [Symbol.asyncIterator]() {
      let i = 0
      return {
        next: async () => ({ value: `10.0.${i++}.0/24 blackhole [s 11:40:21] * (200)`, done: false }),
        return: async () => {
          returned = true
          return { value: undefined, done: true }
        },
      }
    },
  }
  let n = 0
  for await (const r of parseRouteStream(source)) {
    t.equal(r.network, `10.0.${n}.0/24`)
    if (++n === 3) break
  }
  t.equal(returned, true)
})
