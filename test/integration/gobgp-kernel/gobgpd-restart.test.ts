import t from 'tap'
import { createKernelProgrammer } from '../../../src/backends/gobgp/kernel/programmer.js'
import { silentLogger } from '../../../src/log.js'
import { pollUntil, removeStaleNamespaces } from '../../helpers/netns.js'
import { kernelTable, NETNS_PREFIX, startGobgpLab, waitEstablished } from './gobgp-lab.js'

/**
 * gobgpd killed and started again (`-r`): its RIB starts empty and fills as the peers come
 * back, so the programmer must not remove routes until the RIB has settled (every session
 * up with its End-of-RIB) — no route is lost meanwhile — and then removes what the peers no
 * longer advertise.
 */
// gobgpd daemons start slowly on a busy machine: room beyond tap's default 300 s.
t.setTimeout(600_000)
await removeStaleNamespaces(NETNS_PREFIX)

t.test('gobgpd killed and back: no kernel route lost meanwhile; afterwards the kernel matches the RIB', async (t) => {
  const lab = await startGobgpLab(t)
  const { node, a, b } = lab
  const ns = node.ns
  for (const p of ['10.99.200.0/26', '10.99.201.0/24', 'fd99:200::/122', 'fd99:201::/64']) await a.add(p)
  for (const p of ['10.99.201.0/24', 'fd99:201::/64']) await b.add(p)
  await waitEstablished(lab)

  const programmer = createKernelProgrammer({
    cli: node.cli,
    log: silentLogger,
    commandPrefix: ['ip', 'netns', 'exec', ns.name],
    resyncMs: 1_000,
    settleMaxMs: 120_000,
  })
  programmer.setLocalBlocks(['10.99.100.0/26'])
  t.teardown(() => programmer.stop({ keepRoutes: true }))
  await programmer.start()
  const full = [
    '10.99.100.0/26 blackhole proto 186',
    '10.99.200.0/26 via 10.99.60.2 proto 186',
    '10.99.201.0/24 via 10.99.60.2,10.99.60.3 proto 186',
    'fd99:200::/122 via fd99:60::2 proto 186',
    'fd99:201::/64 via fd99:60::2,fd99:60::3 proto 186',
  ]
  await pollUntil('the learned routes programmed', async () => JSON.stringify(await kernelTable(ns)) === JSON.stringify(full), { timeoutMs: 60_000 })

  // Sample the table through the whole outage and restart: every route must stay.
  let sampling = true
  const lost = new Set<string>()
  const sampler = (async () => {
    while (sampling) {
      const now = new Set(await kernelTable(ns))
      for (const line of full) if (!now.has(line)) lost.add(line)
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  // Also when a step below fails: the sampler must not outlive the namespace.
  t.teardown(async () => {
    sampling = false
    await sampler.catch(() => undefined)
  })
  const started = Date.now()
  const phase = (what: string) => t.comment(`${what} after ${Math.round((Date.now() - started) / 1000)} s`)

  node.daemon.kill('SIGKILL')
  await node.daemon.exited
  // While it is down a peer stops advertising a prefix: nothing can tell the node yet.
  await a.del('10.99.200.0/26')
  await new Promise((r) => setTimeout(r, 3_000))
  await node.restart(['-r'])
  phase('gobgpd back')
  await waitEstablished(lab)
  phase('sessions Established')
  const after = full.filter((l) => !l.startsWith('10.99.200.0/26'))
  await pollUntil('the prefix withdrawn meanwhile removed once the RIB settled', async () => JSON.stringify(await kernelTable(ns)) === JSON.stringify(after), {
    timeoutMs: 90_000,
  })
  phase('RIB settled and the kernel matching it')
  sampling = false
  await sampler
  t.same([...lost].filter((l) => !l.startsWith('10.99.200.0/26')), [], 'no route the peers still advertise was missing at any moment')
  t.same(await kernelTable(ns), after)
})
