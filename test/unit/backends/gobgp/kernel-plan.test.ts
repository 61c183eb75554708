import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  batchLine,
  parseBatchErrors,
  parseIpRoutes,
  parseRouteGets,
  planKernelChanges,
  withGateways,
  type KernelRoute,
} from '../../../../src/backends/gobgp/kernel/kernel-routes.js'
import type { DesiredRoute } from '../../../../src/backends/gobgp/kernel/rib.js'

/**
 * The kernel side, on what iproute2 6.1 printed (`ip -N -j route show`, `ip -j -batch` of
 * `route get`, the stderr of `ip -force -batch`; test/fixtures/gobgp-3.10.0/rib-README.md).
 * The recorded table has proto-186 routes 10.99.71.0/24 (ECMP), 10.99.72.1/32 and the
 * blackhole 10.99.100.0/26, proto static (4) 10.99.70.0/24 and 10.99.80.0/24, and the
 * kernel's (2) connected routes; the same shape in IPv6.
 */
const dir = fileURLToPath(new URL('../../../fixtures/gobgp-3.10.0/', import.meta.url))
const read = (name: string) => readFileSync(dir + name, 'utf8')
const kernel = [...parseIpRoutes(read('rib-ip-route-v4.json'), 4), ...parseIpRoutes(read('rib-ip-route-v6.json'), 6)]
const P = 186

const unicast = (prefix: string, ...nexthops: string[]): DesiredRoute => ({ kind: 'unicast', prefix, family: prefix.includes(':') ? 6 : 4, nexthops })
const blackhole = (prefix: string): DesiredRoute => ({ kind: 'blackhole', prefix, family: prefix.includes(':') ? 6 : 4 })
const want = (...routes: DesiredRoute[]) => new Map(routes.map((r) => [r.prefix, r]))
const lines = (routes: Map<string, DesiredRoute>, keepUnwanted = false) =>
  planKernelChanges(routes, kernel, { protocol: P, keepUnwanted }).ops.map((op) => batchLine(op, P))

t.test('parseIpRoutes: prefixes, kinds, gateways, protocols and metrics as the kernel has them', async (t) => {
  const by = (p: string) => kernel.find((r) => r.prefix === p)
  t.same(by('10.99.71.0/24'), { prefix: '10.99.71.0/24', family: 4, kind: 'unicast', nexthops: ['10.99.61.2', '10.99.62.2'], protocol: 186, metric: 0 })
  t.same(by('10.99.72.1/32'), { prefix: '10.99.72.1/32', family: 4, kind: 'unicast', nexthops: ['10.99.61.9'], protocol: 186, metric: 0 }, 'host route printed without /32')
  t.same(by('10.99.100.0/26'), { prefix: '10.99.100.0/26', family: 4, kind: 'blackhole', nexthops: [], protocol: 186, metric: 0 })
  t.same(by('10.99.70.0/24')?.protocol, 4)
  t.same(by('fd99:100::/122'), { prefix: 'fd99:100::/122', family: 6, kind: 'blackhole', nexthops: [], protocol: 186, metric: 1024 })
  t.same(by('fd99:71::/64')?.nexthops, ['fd99:61::2', 'fd99:62::2'])
  t.equal(kernel.length, 14)
  t.same(parseIpRoutes('[{"dst":"default","gateway":"10.99.61.1","protocol":"3","flags":[]}]', 4)[0]?.prefix, '0.0.0.0/0')
})

t.test('the recorded table already holds what is wanted: nothing to do', async (t) => {
  const same = want(
    unicast('10.99.71.0/24', '10.99.62.2', '10.99.61.2'),
    unicast('10.99.72.1/32', '10.99.61.9'),
    blackhole('10.99.100.0/26'),
    unicast('fd99:71::/64', 'fd99:61::2', 'fd99:62::2'),
    blackhole('fd99:100::/122'),
  )
  // Desired next hops come sorted from the RIB side; the kernel's order does not matter.
  same.set('10.99.71.0/24', unicast('10.99.71.0/24', '10.99.61.2', '10.99.62.2'))
  t.same(lines(same), [])
})

t.test('add what is missing, replace what differs, delete only our own unwanted routes', async (t) => {
  t.same(
    lines(want(unicast('10.99.71.0/24', '10.99.61.2'), unicast('10.99.90.0/24', '10.99.61.3', '10.99.62.3'), blackhole('10.99.100.0/26'), unicast('fd99:90::/64', 'fd99:61::3'))),
    [
      'route replace 10.99.71.0/24 proto 186 via 10.99.61.2',
      'route add 10.99.90.0/24 proto 186 nexthop via 10.99.61.3 nexthop via 10.99.62.3',
      'route add fd99:90::/64 proto 186 via fd99:61::3',
      'route del 10.99.72.1/32 proto 186 metric 0',
      'route del fd99:71::/64 proto 186 metric 1024',
      'route del fd99:100::/122 proto 186 metric 1024',
    ],
  )
})

t.test('an empty RIB removes every route of ours and nothing else', async (t) => {
  t.same(lines(want()), [
    'route del 10.99.71.0/24 proto 186 metric 0',
    'route del 10.99.72.1/32 proto 186 metric 0',
    'route del 10.99.100.0/26 proto 186 metric 0',
    'route del fd99:71::/64 proto 186 metric 1024',
    'route del fd99:100::/122 proto 186 metric 1024',
  ])
})

t.test('while the RIB may be incomplete, unwanted routes and next hops of ours stay; additions go ahead', async (t) => {
  t.same(lines(want(unicast('10.99.90.0/24', '10.99.61.3')), true), ['route add 10.99.90.0/24 proto 186 via 10.99.61.3'])
  t.same(lines(want(unicast('10.99.71.0/24', '10.99.61.2')), true), [], 'an ECMP route keeps the next hop the RIB lacks for now')
  t.same(lines(want(unicast('10.99.71.0/24', '10.99.61.2', '10.99.61.3')), true), ['route replace 10.99.71.0/24 proto 186 nexthop via 10.99.61.2 nexthop via 10.99.61.3 nexthop via 10.99.62.2'], 'and gains new ones')
  t.same(lines(want(blackhole('10.99.71.0/24')), true), ['route replace blackhole 10.99.71.0/24 proto 186'], 'a local block wins at once')
})

t.test("another protocol's route in the slot is a conflict, never replaced; another metric is no conflict", async (t) => {
  const plan = planKernelChanges(want(unicast('10.99.70.0/24', '10.99.61.3'), unicast('fd99:70::/64', 'fd99:61::3'), blackhole('10.99.80.0/24')), kernel, { protocol: P, keepUnwanted: true })
  t.same(plan.ops, [])
  t.same(plan.conflicts, [
    { prefix: '10.99.70.0/24', protocol: 4 },
    { prefix: 'fd99:70::/64', protocol: 4 },
    { prefix: '10.99.80.0/24', protocol: 4 },
  ])
  const other: KernelRoute[] = [{ prefix: '10.99.70.0/24', family: 4, kind: 'unicast', nexthops: ['10.99.61.5'], protocol: 4, metric: 100 }]
  t.same(planKernelChanges(want(unicast('10.99.70.0/24', '10.99.61.3')), other, { protocol: P, keepUnwanted: false }).ops.map((op) => batchLine(op, P)), [
    'route add 10.99.70.0/24 proto 186 via 10.99.61.3',
  ])
  const oursElsewhere: KernelRoute[] = [{ prefix: '10.99.70.0/24', family: 4, kind: 'unicast', nexthops: ['10.99.61.5'], protocol: 186, metric: 50 }]
  t.same(planKernelChanges(want(unicast('10.99.70.0/24', '10.99.61.5')), oursElsewhere, { protocol: P, keepUnwanted: false }).ops.map((op) => batchLine(op, P)), [
    'route add 10.99.70.0/24 proto 186 via 10.99.61.5',
    'route del 10.99.70.0/24 proto 186 metric 50',
  ])
})

t.test('batch lines: blackholes and another protocol number', async (t) => {
  t.equal(batchLine({ op: 'add', route: blackhole('fd99:100::/122') }, 201), 'route add blackhole fd99:100::/122 proto 201')
  t.equal(batchLine({ op: 'replace', route: blackhole('10.99.100.0/26') }, 186), 'route replace blackhole 10.99.100.0/26 proto 186')
})

t.test('next hops not on a connected network are programmed through the gateway the kernel reaches them by', async (t) => {
  const gateways = parseRouteGets(read('rib-ip-route-get.txt'))
  t.same([...gateways], [['10.99.70.9', '10.99.61.5'], ['fd99:70::9', 'fd99:61::5']], 'a connected address has no gateway')
  const out = withGateways(want(unicast('10.99.90.0/24', '10.99.61.7', '10.99.70.9'), unicast('10.99.91.0/24', '10.99.61.5', '10.99.70.9'), blackhole('10.99.100.0/26')), gateways)
  t.same(out.get('10.99.90.0/24'), unicast('10.99.90.0/24', '10.99.61.5', '10.99.61.7'))
  t.same(out.get('10.99.91.0/24'), unicast('10.99.91.0/24', '10.99.61.5'), 'two next hops behind one gateway are one')
  t.same(out.get('10.99.100.0/26'), blackhole('10.99.100.0/26'))
})

t.test('parseBatchErrors: the kernel words for each refused line', async (t) => {
  t.same([...parseBatchErrors(read('rib-ip-batch-stderr.txt'))], [
    [2, 'RTNETLINK answers: File exists'],
    [4, 'RTNETLINK answers: File exists'],
    [7, 'Error: Nexthop has invalid gateway.'],
  ])
  t.same([...parseBatchErrors('')], [])
})
