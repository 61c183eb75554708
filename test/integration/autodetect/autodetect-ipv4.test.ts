/**
 * IPv4 autodetection end to end, inside a network namespace: every method through
 * `falconer node autodetect` run there — the real `ip -j addr show`, the kernel's own
 * source-address choice for can-reach, the resolver reading the namespace's /etc/hosts.
 */
import t from 'tap'
import type { Netns } from '../../helpers/netns.js'
import { detect, mapLimit, type CliResult } from './cli.js'
import { METHOD_CASES, PARALLEL, setUpAutodetectNamespace } from './setup.js'

const cases = METHOD_CASES.filter(([, family]) => family === 4)
let ns: Netns
let results: CliResult[] = []

t.before(async () => {
  ns = await setUpAutodetectNamespace(t)
})

t.test('every method', async (t) => {
  results = await mapLimit(cases, PARALLEL, ([method, family]) => detect(ns, method, family))
  for (const [i, [method, family, iface, address, why]] of cases.entries()) {
    const r = results[i]!
    t.same([r.interface, r.address], [iface, address], `${method} IPv${family}: ${iface} ${address} (${why})`)
    t.equal(r.method, method)
    t.equal(r.family, family)
    const winner = r.trace.filter((d) => d.decision === 'chosen')
    t.same(winner, [{ interface: iface, address, decision: 'chosen', reason: winner[0]?.reason }], 'the trace names exactly the winner')
  }
})

