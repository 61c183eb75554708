/**
 * When autodetection finds nothing inside a network namespace, `falconer node autodetect`
 * exits 1 with one line that says why: the kernel's address flags, down links,
 * unresolvable names, no route.
 */
import t from 'tap'
import { createNetns, type Netns } from '../../helpers/netns.js'
import { mapLimit, runAutodetect } from './cli.js'
import { PARALLEL, setUpAutodetectNamespace } from './setup.js'
import { NETNS_PREFIX } from './topology.js'

let ns: Netns

t.before(async () => {
  ns = await setUpAutodetectNamespace(t)
})

const notFound: [method: string, family: 4 | 6, message: RegExp][] = [
  ['interface=ens3', 4, /found no address: no interface matching ens3 has a usable global-unicast IPv4 address \[.*ens3 169\.254\.7\.7\/16: link-local address; ens3 10\.99\.4\.2\/24: deprecated/],
  ['interface=ens3', 6, /ens3 fd99:4::3\/64: duplicate address detection failed.*ens3 fd99:4::1\/64: tentative/],
  ['interface=br-.*', 4, /br-xyz: interface is down \(operstate DOWN\)/],
  ['interface=^eth9$', 6, /eth9: interface is down \(administratively: no UP flag\)/],
  ['cidr=fd99:4::/64', 6, /no usable address inside fd99:4::\/64/],
  ['can-reach=nowhere.test', 4, /nowhere\.test does not resolve to an IPv4 address/],
  ['can-reach=only4.test', 6, /only4\.test does not resolve to an IPv6 address/],
]

t.test('nothing found: exit 1 and one line that says why', async (t) => {
  const results = await mapLimit(notFound, PARALLEL, ([method, family]) =>
    runAutodetect(ns, ['--method', method, ...(family === 6 ? ['--ipv6'] : [])]),
  )
  for (const [i, [method, family, message]] of notFound.entries()) {
    const r = results[i]!
    t.equal(r.exitCode, 1, `${method} IPv${family} fails`)
    t.equal(r.stdout, '')
    t.match(r.stderr, message)
    t.match(r.stderr, new RegExp(`^Failed to execute command: IPv${family} autodetection \\(${method.replace(/[.*+?^$()[\]\\|]/g, '\\$&')}\\) found no address: `))
    t.equal(r.stderr.trimEnd().split('\n').length, 1, 'a single line')
  }
})

t.test('can-reach with no route: the kernel says so', async (t) => {
  const bare = await createNetns(t, NETNS_PREFIX)
  for (const [dest, family] of [['10.99.1.1', 4], ['fd99:1::1', 6]] as const) {
    const r = await runAutodetect(bare, ['--method', `can-reach=${dest}`, ...(family === 6 ? ['--ipv6'] : [])])
    t.equal(r.exitCode, 1)
    t.match(r.stderr, `found no address: the kernel has no IPv${family} route to ${dest}`)
  }
  const lo = await runAutodetect(bare, ['--method', 'can-reach=127.0.0.1', '-o', 'json'])
  t.match(JSON.parse(lo.stdout), { address: '127.0.0.1/8', interface: 'lo' }, 'loopback is reachable, and the kernel picks it')
  const none = await runAutodetect(bare, [])
  t.match(none.stderr, /^Failed to execute command: IPv4 autodetection \(first-found\) found no address: .*\[lo: matches default exclude \^lo\]$/m)
})
