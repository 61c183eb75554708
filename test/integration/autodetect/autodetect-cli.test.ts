/**
 * `falconer node autodetect` as operators use it, inside a network namespace: --explain,
 * the methods from the environment, refused methods.
 */
import t from 'tap'
import type { Netns } from '../../helpers/netns.js'
import { mapLimit, runAutodetect } from './cli.js'
import { PARALLEL, setUpAutodetectNamespace } from './setup.js'

let ns: Netns

t.before(async () => {
  ns = await setUpAutodetectNamespace(t)
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

t.test('--explain shows the trace on stderr when nothing is found', async (t) => {
  const r = await runAutodetect(ns, ['--method', 'interface=ens3', '--explain'])
  t.equal(r.exitCode, 1)
  const lines = r.stderr.trimEnd().split('\n')
  t.equal(lines.length, 10 + 1 + 1, 'lo..eth1, ens3 has two IPv4 entries, then the error line')
  t.match(lines[7], /^skipped  ens3 +169\.254\.7\.7\/16 +link-local address$/)
  t.match(lines.at(-1), /^Failed to execute command: IPv4 autodetection \(interface=ens3\) found no address/)
})

t.test('bad methods are refused before anything is looked at', async (t) => {
  // Every parse error is covered by the unit tests; here, that each kind reaches the operator.
  const cases: [string[], RegExp][] = [
    [['--method', 'interface=eth['], /^Failed to execute command: IP autodetection method "interface=eth\[": regex "eth\[" is invalid/],
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

