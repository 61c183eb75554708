/**
 * `falconer node autodetect` as operators use it, inside network namespaces: --explain,
 * the environment's methods, failures that say why, refused methods, no route.
 * (Every method's choice: autodetect-methods.test.ts.)
 */
import t from 'tap'
import {
  createNetns,
  isolateNetnsResolver,
  removeStaleNamespaces,
  writeNetnsHosts,
  type Netns,
} from '../../helpers/netns.js'
import { assertBuilt, mapLimit, runAutodetect } from './cli.js'
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

t.test('--explain prints the address, then one line per candidate', async (t) => {
  const r = await runAutodetect(ns, ['--method', 'can-reach=gw4.test', '--explain'])
  t.equal(r.exitCode, 0, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  t.equal(lines[0], '10.99.2.1/24')
  t.equal(lines.length, 1 + 10, 'one line per interface')
  t.match(lines.at(-1), /^chosen {3}eth1 +10\.99\.2\.1\/24 +the kernel's source address toward gw4\.test$/)
  t.match(lines[1], /^skipped  lo +- +does not hold 10\.99\.2\.1, the kernel's source address toward gw4\.test$/)

  const plain = await runAutodetect(ns, [])
  t.equal(plain.stdout, '10.99.1.1/24', 'no flags: first-found, IPv4, the address alone')
})

t.test('the method comes from IP_AUTODETECTION_METHOD / IP6_AUTODETECTION_METHOD by default', async (t) => {
  const env = { IP_AUTODETECTION_METHOD: 'skip-interface=eth0', IP6_AUTODETECTION_METHOD: 'cidr=fd99:3::/64' }
  t.equal((await runAutodetect(ns, [], env)).stdout, '10.99.2.1/24')
  t.equal((await runAutodetect(ns, ['--ipv6'], env)).stdout, 'fd99:3::1/64')
  t.equal((await runAutodetect(ns, ['--method', 'first-found'], env)).stdout, '10.99.1.1/24', '--method wins')
})

const notFound: [method: string, family: 4 | 6, message: RegExp][] = [
  ['interface=ens3', 4, /found no address: no interface matching ens3 has a usable global-unicast IPv4 address \[.*ens3 169\.254\.7\.7\/16: link-local address; ens3 10\.99\.4\.2\/24: deprecated/],
  ['interface=ens3', 6, /ens3 fd99:4::3\/64: duplicate address detection failed.*ens3 fd99:4::1\/64: tentative/],
  ['interface=br-.*', 4, /br-xyz: interface is down \(operstate DOWN\)/],
  ['interface=^eth9$', 6, /eth9: interface is down \(administratively: no UP flag\)/],
  ['skip-interface=eth.*,ens.*', 4, /no interface outside the skip list and the default excludes/],
  ['cidr=10.99.9.0/24', 4, /no usable address inside 10\.99\.9\.0\/24/],
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
    t.match(r.stderr, new RegExp(`^IPv${family} autodetection \\(${method.replace(/[.*+?^$()[\]\\|]/g, '\\$&')}\\) found no address: `))
    t.equal(r.stderr.trimEnd().split('\n').length, 1, 'a single line')
  }
})

t.test('--explain shows the trace on stderr when nothing is found', async (t) => {
  const r = await runAutodetect(ns, ['--method', 'interface=ens3', '--explain'])
  t.equal(r.exitCode, 1)
  const lines = r.stderr.trimEnd().split('\n')
  t.equal(lines.length, 10 + 1 + 1, 'lo..eth1, ens3 has two IPv4 entries, then the error line')
  t.match(lines[7], /^skipped  ens3 +169\.254\.7\.7\/16 +link-local address$/)
  t.match(lines.at(-1), /^IPv4 autodetection \(interface=ens3\) found no address/)
})

t.test('bad methods are refused before anything is looked at', async (t) => {
  // Every parse error is covered by the unit tests; here, that each kind reaches the operator.
  const cases: [string[], RegExp][] = [
    [['--method', 'interface=eth['], /^IP autodetection method "interface=eth\[": regex "eth\[" is invalid/],
    [['--method', 'can-reach=10.99.200.7', '--ipv6'], /10\.99\.200\.7 is an IPv4 address but IPv6 autodetection needs an IPv6 destination/],
    [['-o', 'yaml'], /argument 'yaml' is invalid/],
  ]
  const results = await mapLimit(cases, PARALLEL, ([args]) => runAutodetect(ns, args))
  for (const [i, [args, message]] of cases.entries()) {
    const r = results[i]!
    t.equal(r.exitCode, 1, args.join(' '))
    t.match(r.stderr, message)
  }
  const env = await runAutodetect(ns, [], { IP_AUTODETECTION_METHOD: 'interface=(' })
  t.match(env.stderr, /method "interface=\(": regex "\(" is invalid/, 'a bad method from the environment too')
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
  t.match(none.stderr, /^IPv4 autodetection \(first-found\) found no address: .*\[lo: matches default exclude \^lo\]$/m)
})
