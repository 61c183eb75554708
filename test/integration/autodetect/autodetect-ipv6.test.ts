/**
 * IPv6 autodetection end to end, inside a network namespace: every method through
 * `falconer node autodetect` run there — the real `ip -j addr show`, the kernel's own
 * source-address choice for can-reach, the resolver reading the namespace's /etc/hosts.
 */
import t from 'tap'
import { everyMethodOf } from './setup.js'

const { cases, results } = everyMethodOf(t, 6)

t.test('the trace explains every skip (first-found, IPv6)', async (t) => {
  const r = results()[cases.findIndex(([m]) => m === 'first-found')]!
  const lines = r.trace.map((d) => `${d.decision} ${d.interface}${d.address ? ` ${d.address}` : ''}: ${d.reason}`)
  t.same(lines, [
    'skipped lo: matches default exclude ^lo',
    'skipped docker0: matches default exclude ^docker.*',
    'skipped br-xyz: matches default exclude ^br-.*',
    'skipped cali123: matches default exclude ^cali.*',
    'skipped veth9a: matches default exclude ^veth.*',
    'skipped dummy0: matches default exclude ^dummy.*',
    'skipped eth9: interface is down (administratively: no UP flag)',
    'skipped ens3 fd99:4::3/64: duplicate address detection failed (dadfailed)',
    'skipped ens3 fd99:4::2/64: deprecated: preferred lifetime is over',
    'skipped ens3 fd99:4::1/64: tentative: duplicate address detection has not finished',
    'skipped ens3 fe80::99:ff:fe00:8/64: link-local address',
    'chosen eth0 fd99:1::1/64: first global-unicast IPv6 address on an interface not excluded',
    'skipped eth1: not examined: fd99:1::1/64 on eth0 was chosen first',
  ])
})

