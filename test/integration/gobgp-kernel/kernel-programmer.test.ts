import t from 'tap'
import { createKernelProgrammer } from '../../../src/backends/gobgp/kernel/programmer.js'
import { silentLogger } from '../../../src/log.js'
import { pollUntil, removeStaleNamespaces } from '../../helpers/netns.js'
import { ipRoute, kernelTable, NETNS_PREFIX, startGobgpLab, waitEstablished } from './gobgp-lab.js'

/**
 * The kernel programmer against a real gobgpd and its peers (gobgp-lab.ts): the node
 * namespace's main table follows the node's RIB under proto 186, and nothing of any other
 * protocol is touched.
 */
// gobgpd daemons start slowly on a busy machine: room beyond tap's default 300 s.
t.setTimeout(600_000)
await removeStaleNamespaces(NETNS_PREFIX)

t.test('learned routes, ECMP, withdrawals, blackholes, repair, keepRoutes; other protocols untouched', async (t) => {
  const lab = await startGobgpLab(t)
  const { node, a, b } = lab
  const ns = node.ns
  const commandPrefix = ['ip', 'netns', 'exec', ns.name]

  // What an earlier run (or another program) left: a stale proto-186 route per family, and
  // routes of other protocols — one in the very slot of a prefix the peers advertise.
  await ipRoute(ns, 'route add 10.99.240.0/24 via 10.99.60.2 proto 186')
  await ipRoute(ns, 'route add fd99:240::/64 via fd99:60::2 proto 186')
  await ipRoute(ns, 'route add 10.99.241.0/24 via 10.99.60.3 proto static')
  await ipRoute(ns, 'route add 10.99.202.0/24 via 10.99.60.3 proto static')
  await ipRoute(ns, 'route add 10.99.203.0/24 via 10.99.60.3 proto 42 metric 100')
  await ipRoute(ns, 'route add fd99:202::/64 via fd99:60::3 proto static')
  const foreign = [
    '10.99.202.0/24 via 10.99.60.3 proto 4',
    '10.99.203.0/24 via 10.99.60.3 proto 42 metric 100',
    '10.99.241.0/24 via 10.99.60.3 proto 4',
    'fd99:202::/64 via fd99:60::3 proto 4',
  ]

  for (const p of ['10.99.200.0/26', '10.99.201.0/24', '10.99.202.0/24', '10.99.203.0/24', 'fd99:200::/122', 'fd99:201::/64', 'fd99:202::/64']) await a.add(p)
  for (const p of ['10.99.201.0/24', 'fd99:201::/64']) await b.add(p)
  // The node's own origination: never programmed from the RIB.
  await node.add('10.99.100.0/26')
  await node.add('fd99:100::/122')
  await waitEstablished(lab)

  // No periodic resync here: what changes must come from the RIB stream or the retries.
  const programmer = createKernelProgrammer({ cli: node.cli, log: silentLogger, commandPrefix, resyncMs: 3_600_000, settleMaxMs: 60_000 })
  programmer.setLocalBlocks(['10.99.100.0/26', 'fd99:100::/122'])
  let stopped = false
  t.teardown(async () => {
    if (!stopped) await programmer.stop({ keepRoutes: true })
  })
  await programmer.start()

  const expected = [
    ...foreign,
    '10.99.100.0/26 blackhole proto 186',
    '10.99.200.0/26 via 10.99.60.2 proto 186',
    '10.99.201.0/24 via 10.99.60.2,10.99.60.3 proto 186',
    '10.99.203.0/24 via 10.99.60.2 proto 186',
    'fd99:100::/122 blackhole proto 186',
    'fd99:200::/122 via fd99:60::2 proto 186',
    'fd99:201::/64 via fd99:60::2,fd99:60::3 proto 186',
  ].sort()
  const until = async (what: string, lines: string[]) => {
    let last: string[] = []
    try {
      await pollUntil(what, async () => {
        last = await kernelTable(ns)
        return JSON.stringify(last) === JSON.stringify([...lines].sort())
      }, { timeoutMs: 60_000, intervalMs: 250 })
    } catch (err) {
      t.same(last, [...lines].sort(), what)
      throw err
    }
    t.pass(what)
  }
  await until('learned routes (ECMP where both peers advertise), blackholes for the local blocks, the stale proto-186 routes gone, the foreign ones as they were', expected)

  await a.del('10.99.200.0/26')
  await b.del('10.99.201.0/24')
  await a.del('fd99:200::/122')
  const afterWithdraw = expected
    .filter((l) => !l.startsWith('10.99.200.0/26') && !l.startsWith('fd99:200::/122'))
    .map((l) => l.replace('10.99.60.2,10.99.60.3', '10.99.60.2'))
  await until('withdrawn prefixes removed, the ECMP route down to the peer that still advertises it', afterWithdraw)

  programmer.setLocalBlocks(['10.99.100.64/26', 'fd99:100::/122'])
  const afterBlocks = afterWithdraw.map((l) => l.replace('10.99.100.0/26', '10.99.100.64/26')).sort()
  await until('blackholes follow the local blocks', afterBlocks)

  // A range the BIRD kernel filter would reject (a service range, a pool left to the dataplane).
  programmer.setUnprogrammedRanges(['10.99.203.0/24'])
  const afterRanges = afterBlocks.filter((l) => l !== '10.99.203.0/24 via 10.99.60.2 proto 186')
  await until('routes inside an unprogrammed range removed, the other protocol\'s route there kept', afterRanges)

  // A next hop the kernel cannot reach yet: `ip` refuses the route, and the programmer
  // keeps trying; once there is a route to the next hop, the route goes in through it.
  await a.add('10.99.204.0/24', '10.99.77.7')
  await new Promise((r) => setTimeout(r, 2_000))
  t.notOk((await kernelTable(ns)).some((l) => l.startsWith('10.99.204.0/24')), 'no route while its next hop is unreachable')
  await ipRoute(ns, 'route add 10.99.77.0/24 via 10.99.60.3 proto static')
  const withRecursive = [...afterRanges, '10.99.77.0/24 via 10.99.60.3 proto 4', '10.99.204.0/24 via 10.99.60.3 proto 186'].sort()
  await until('the refused route retried, through the gateway of its next hop', withRecursive)

  await programmer.stop({ keepRoutes: true })
  stopped = true
  await a.del('10.99.203.0/24')
  await b.add('10.99.205.0/24')
  await new Promise((r) => setTimeout(r, 3_000))
  t.same(await kernelTable(ns), withRecursive, 'stopped with keepRoutes: the kernel stays as it was, and changes are no longer followed')

  // The agent back: reconciles with what the RIB has now, then is stopped for good.
  const again = createKernelProgrammer({ cli: node.cli, log: silentLogger, commandPrefix, resyncMs: 2_000, settleMaxMs: 60_000 })
  again.setLocalBlocks(['10.99.100.64/26', 'fd99:100::/122'])
  let againStopped = false
  t.teardown(async () => {
    if (!againStopped) await again.stop({ keepRoutes: true })
  })
  await again.start()
  const restarted = [...withRecursive.filter((l) => !l.startsWith('10.99.203.0/24 via 10.99.60.2')), '10.99.205.0/24 via 10.99.60.3 proto 186'].sort()
  await until('a new programmer reconciles with the RIB', restarted)

  // Someone deletes one of falconer's routes: the periodic resync puts it back.
  await ipRoute(ns, 'route del 10.99.201.0/24 proto 186')
  await until('a removed route repaired', restarted)
  await again.stop({ keepRoutes: false })
  againStopped = true
  t.same(await kernelTable(ns), [...foreign, '10.99.77.0/24 via 10.99.60.3 proto 4'].sort(), 'stopped without keepRoutes: every proto-186 route gone, nothing else')
})
