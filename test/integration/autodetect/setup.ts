/**
 * What every autodetect CLI test file starts from: a fresh build check, stale namespaces
 * of earlier runs gone, the topology of topology.ts, and a hosts file for can-reach=NAME
 * with the namespace's resolver kept off the network.
 */
import type { Test } from 'tap'
import { isolateNetnsResolver, removeStaleNamespaces, writeNetnsHosts, type Netns, type TeardownHost } from '../../helpers/netns.js'
import { assertBuilt, detect, mapLimit, type CliResult } from './cli.js'
import { buildAutodetectTopology, NETNS_PREFIX } from './topology.js'

export const HOSTS = `127.0.0.1     localhost
10.99.200.9   gw4.test
fd99:2:ff::9  gw6.test
10.99.100.9   up4.test
fd99:100::9   up6.test
10.99.100.10  only4.test
`

/** Each CLI case is a node start-up inside the namespace: overlap a few. */
export const PARALLEL = 3

export async function setUpAutodetectNamespace(t: TeardownHost): Promise<Netns> {
  assertBuilt()
  await removeStaleNamespaces(NETNS_PREFIX)
  const { ns } = await buildAutodetectTopology(t)
  await writeNetnsHosts(ns, HOSTS)
  await isolateNetnsResolver(ns)
  return ns
}

/** What each method picks in the topology of topology.ts, and why. */
export const METHOD_CASES: readonly (readonly [method: string, family: 4 | 6, iface: string, address: string, why: string])[] = [
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


/**
 * The namespace (made before the file's tests) and the test that runs every method of one
 * family there; the results, in the order of that family's METHOD_CASES, are for the
 * file's later tests.
 */
export function everyMethodOf(t: Test, family: 4 | 6): { readonly cases: typeof METHOD_CASES; readonly results: () => CliResult[] } {
  const cases = METHOD_CASES.filter(([, f]) => f === family)
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
  return { cases, results: () => results }
}
