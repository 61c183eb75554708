/**
 * IP autodetection end to end, inside network namespaces: every method, both families,
 * through `falconer node autodetect` run in the namespace — the real `ip -j addr show`,
 * the kernel's own source-address choice for can-reach, the resolver reading the
 * namespace's /etc/hosts. (The CLI's other behaviour: autodetect-cli.test.ts.)
 */
import t from 'tap'
import {
  isolateNetnsResolver,
  removeStaleNamespaces,
  writeNetnsHosts,
  type Netns,
} from '../../helpers/netns.js'
import { assertBuilt, detect, mapLimit, type CliResult } from './cli.js'
import { buildAutodetectTopology, NETNS_PREFIX } from './topology.js'

const HOSTS = `127.0.0.1     localhost
10.99.200.9   gw4.test
fd99:2:ff::9  gw6.test
10.99.100.9   up4.test
fd99:100::9   up6.test
10.99.100.10  only4.test
`

let ns: Netns
// Each case is a node start-up inside the namespace: overlap a few.
const PARALLEL = 3

t.before(async () => {
  assertBuilt()
  await removeStaleNamespaces(NETNS_PREFIX)
  ;({ ns } = await buildAutodetectTopology(t))
  await writeNetnsHosts(ns, HOSTS)
  await isolateNetnsResolver(ns)
})

const chosen: [method: string, family: 4 | 6, iface: string, address: string, why: string][] = [
  ['first-found', 4, 'eth0', '10.99.1.1/24', 'skips excluded names, the down eth9 and ens3\'s link-local and deprecated addresses'],
  ['first-found', 6, 'eth0', 'fd99:1::1/64', 'skips ens3\'s tentative, deprecated, dadfailed and link-local addresses'],
  ['skip-interface=eth0', 4, 'eth1', '10.99.2.1/24', 'the operator\'s skip on top of the defaults'],
  ['skip-interface=eth0', 6, 'eth1', 'fd99:2::1/64', 'the operator\'s skip on top of the defaults'],
  ['interface=nomatch,^eth[19]', 4, 'eth1', '10.99.2.1/24', 'eth9 matches first but is down'],
  ['interface=nomatch,^eth[19]', 6, 'eth1', 'fd99:2::1/64', 'eth9 matches first but is down'],
  ['interface=docker.*', 4, 'docker0', '10.99.17.1/24', 'no default excludes for interface='],
  ['interface=docker.*', 6, 'docker0', 'fd99:17::1/64', 'no default excludes for interface='],
  ['interface=dummy0', 4, 'dummy0', '10.99.21.1/32', 'operstate UNKNOWN with UP counts as up'],
  ['interface=dummy0', 6, 'dummy0', 'fd99:21::1/128', 'operstate UNKNOWN with UP counts as up'],
  ['cidr=10.99.3.0/24', 4, 'eth1', '10.99.3.1/24', 'the second address of eth1'],
  ['cidr=10.99.3.0/24,fd99:3::/64', 6, 'eth1', 'fd99:3::1/64', 'the IPv6 CIDR of a mixed list'],
  ['cidr=10.99.0.0/16', 4, 'docker0', '10.99.17.1/24', 'first in kernel order, no default excludes'],
  ['can-reach=10.99.100.7', 4, 'eth0', '10.99.1.1/24', 'the default route leaves through eth0'],
  ['can-reach=10.99.200.7', 4, 'eth1', '10.99.2.1/24', 'a route sends 10.99.200.0/24 through eth1'],
  ['can-reach=10.99.3.7', 4, 'eth1', '10.99.3.1/24', 'on-link: the kernel picks the address of that subnet'],
  ['can-reach=fd99:100::7', 6, 'eth0', 'fd99:1::1/64', 'the default route leaves through eth0'],
  ['can-reach=fd99:2:ff::7', 6, 'eth1', 'fd99:2::1/64', 'a route sends fd99:2:ff::/64 through eth1'],
  ['can-reach=up4.test', 4, 'eth0', '10.99.1.1/24', 'a name from the namespace\'s /etc/hosts'],
  ['can-reach=gw4.test', 4, 'eth1', '10.99.2.1/24', 'a name from the namespace\'s /etc/hosts'],
  ['can-reach=up6.test', 6, 'eth0', 'fd99:1::1/64', 'a name from the namespace\'s /etc/hosts'],
  ['can-reach=gw6.test', 6, 'eth1', 'fd99:2::1/64', 'a name from the namespace\'s /etc/hosts'],
]

let results: CliResult[] = []

t.test('every method, both families', async (t) => {
  results = await mapLimit(chosen, PARALLEL, ([method, family]) => detect(ns, method, family))
  for (const [i, [method, family, iface, address, why]] of chosen.entries()) {
    const r = results[i]!
    t.same([r.interface, r.address], [iface, address], `${method} IPv${family}: ${iface} ${address} (${why})`)
    t.equal(r.method, method)
    t.equal(r.family, family)
    const winner = r.trace.filter((d) => d.decision === 'chosen')
    t.same(winner, [{ interface: iface, address, decision: 'chosen', reason: winner[0]?.reason }], 'the trace names exactly the winner')
  }
})

t.test('the trace explains every skip (first-found, IPv6)', async (t) => {
  const r = results[chosen.findIndex(([m, f]) => m === 'first-found' && f === 6)]!
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

