import t from 'tap'
import {
  formatAsDot, formatAsNumber, formatCommunity, formatGoDurationNs, isBirdSafeSecret, isCommunityName,
  isInterfacePattern, isValidDnsLabel, isValidName, labelKeyProblem, labelValueProblem, parseAsNumber,
  parseCommunityValue, parseGoDuration, parseGoDurationNs, parseRestartTime, resolveKind,
} from '../../../src/api/index.js'
import { expectInvalid } from './helpers.js'

t.test('AS numbers: plain, numeric string and asdot', async (t) => {
  const good: [unknown, number][] = [
    [1, 1],
    [64512, 64512],
    [4294967295, 4294967295],
    ['64512', 64512],
    ['065000', 65000], // Go's ParseUint accepts leading zeros, so Calico does
    ['1.10', 65546],
    ['0.1', 1],
    ['1.0', 65536],
    ['65535.65535', 4294967295],
  ]
  for (const [input, want] of good) t.equal(parseAsNumber(input, 'spec.asNumber'), want, JSON.stringify(input))
  const bad: [unknown, string][] = [
    [0, 'between 1 and 4294967295'],
    [-1, 'between 1 and 4294967295'],
    [4294967296, 'between 1 and 4294967295'],
    ['0', 'between 1 and 4294967295'],
    ['0.0', 'between 1 and 4294967295'],
    ['4294967296', 'between 1 and 4294967295'],
    [1.5, 'not an integer'],
    [1.1, 'quote asdot'],
    ['65536.1', 'asdot halves'],
    ['1.65536', 'asdot halves'],
    ['1.2.3', 'is not an AS number'],
    ['', 'is not an AS number'],
    [' 1', 'is not an AS number'],
    ['+1', 'is not an AS number'],
    ['AS65000', 'is not an AS number'],
    ['1e5', 'is not an AS number'],
    [null, 'expected an AS number'],
    [true, 'expected an AS number'],
  ]
  for (const [input, fragment] of bad) {
    expectInvalid(t, () => parseAsNumber(input, 'spec.asNumber'), 'spec.asNumber', fragment, JSON.stringify(input))
  }
  t.equal(formatAsNumber(65546), '65546')
  t.equal(formatAsDot(65546), '1.10')
  t.equal(formatAsDot(64512), '64512')
})

t.test('Go durations', async (t) => {
  const good: [string, number][] = [
    ['120s', 120],
    ['2m30s', 150],
    ['1h', 3600],
    ['1h2m3s', 3723],
    ['1.5s', 1.5],
    ['.5s', 0.5],
    ['5.s', 5],
    ['300ms', 0.3],
    ['1us', 1e-6],
    ['1µs', 1e-6],
    ['1μs', 1e-6],
    ['1000ns', 1e-6],
    ['0', 0],
    ['0s', 0],
    ['+5s', 5],
    ['-5s', -5],
    ['1h1h', 7200],
  ]
  for (const [input, seconds] of good) t.equal(parseGoDuration(input, 'd'), seconds, input)
  const bad: [unknown, string][] = [
    ['', 'empty'],
    ['120', 'missing unit'],
    ['5x', 'unknown unit "x"'],
    ['5 s', 'unknown unit " s"'],
    ['s', 'expected a number'],
    ['.s', 'expected a number'],
    [' 5s', 'expected a number'],
    ['1.5.5s', 'missing unit'],
    ['3000000h', 'out of range'],
    [120, 'expected a string'],
  ]
  for (const [input, fragment] of bad) {
    expectInvalid(t, () => parseGoDuration(input, 'spec.maxRestartTime'), 'spec.maxRestartTime', fragment, JSON.stringify(input))
  }
  const formats: [string, string][] = [
    ['0s', '0s'],
    ['120s', '2m0s'],
    ['3600s', '1h0m0s'],
    ['1.5s', '1.5s'],
    ['300ms', '300ms'],
    ['1500ns', '1.5µs'],
    ['999ns', '999ns'],
    ['3723s', '1h2m3s'],
    ['25h1m1.5s', '25h1m1.5s'],
    ['-90s', '-1m30s'],
  ]
  for (const [input, text] of formats) t.equal(formatGoDurationNs(parseGoDurationNs(input)), text, input)
})

t.test('graceful restart times', async (t) => {
  t.equal(parseRestartTime('120s', 'p'), '2m0s')
  t.equal(parseRestartTime('0s', 'p'), '0s')
  t.equal(parseRestartTime('4095s', 'p'), '1h8m15s')
  expectInvalid(t, () => parseRestartTime('4096s', 'p'), 'p', 'at most 4095s')
  expectInvalid(t, () => parseRestartTime('2h', 'p'), 'p', 'at most 4095s')
  expectInvalid(t, () => parseRestartTime('-1s', 'p'), 'p', 'must not be negative')
  expectInvalid(t, () => parseRestartTime('abc', 'p'), 'p', 'not a Go duration')
})

t.test('resource names are lowercase RFC 1123 subdomains', async (t) => {
  for (const name of ['node1', 'a', '0', 'node-1.example.com', 'a--b', 'a'.repeat(253), `${'a'.repeat(63)}.b`]) {
    t.equal(isValidName(name), true, name)
  }
  for (const name of ['', 'Node1', '-node', 'node-', 'node_1', 'a..b', '.a', 'a.', 'a'.repeat(254), 'node 1', 'nöde', 'a/b', 'a:b']) {
    t.equal(isValidName(name), false, JSON.stringify(name))
  }
  t.equal(isValidDnsLabel('kube-system'), true)
  t.equal(isValidDnsLabel('a.b'), false)
  t.equal(isValidDnsLabel('a'.repeat(64)), false)
})

t.test('label keys and values follow Kubernetes rules', async (t) => {
  for (const key of ['rack', 'kubernetes.io/hostname', 'app.kubernetes.io/name', 'A_b.c-D', 'a'.repeat(63), `x/${'a'.repeat(63)}`, 'projectcalico.org/namespace']) {
    t.equal(labelKeyProblem(key), undefined, key)
  }
  const badKeys: [string, string][] = [
    ['', 'must not be empty'],
    ['a/b/c', 'at most one "/"'],
    ['/a', 'prefix before "/" must not be empty'],
    ['Example.com/a', 'lower case DNS subdomain'],
    [`${'a'.repeat(254)}/x`, 'lower case DNS subdomain'],
    ['a/', 'name part must not be empty'],
    ['a'.repeat(64), '64 characters long'],
    ['-a', 'must start and end'],
    ['a_', 'must start and end'],
    ['a b', 'must start and end'],
  ]
  for (const [key, fragment] of badKeys) t.match(labelKeyProblem(key), fragment, JSON.stringify(key))
  for (const value of ['', 'r1', 'A-b_c.d', 'a'.repeat(63)]) t.equal(labelValueProblem(value), undefined, value)
  const badValues: [string, string][] = [
    ['a'.repeat(64), '64 characters long'],
    ['-a', 'start and end'],
    ['a-', 'start and end'],
    ['a b', 'start and end'],
    ['é', 'start and end'],
  ]
  for (const [value, fragment] of badValues) t.match(labelValueProblem(value), fragment, JSON.stringify(value))
})

t.test('BIRD-safe secret values', async (t) => {
  for (const s of ['a', 'p@ss w0rd!', "it's", 'x'.repeat(80), '~`!#$%^&*()_+-={}[]|;:,.<>/?', ' leading and trailing ']) {
    t.equal(isBirdSafeSecret(s), true, JSON.stringify(s))
  }
  for (const s of ['', 'x'.repeat(81), 'a"b', 'a\\b', 'a\nb', 'a\rb', 'a\tb', 'é', 'a\x7f', 'a\x00b', 'emoji 😀']) {
    t.equal(isBirdSafeSecret(s), false, JSON.stringify(s))
  }
})

t.test('communities', async (t) => {
  const good: [string, string][] = [
    ['65000:100', '65000:100'],
    ['0:0', '0:0'],
    ['65535:65535', '65535:65535'],
    ['065000:0100', '65000:100'],
    ['4294967295:4294967295:4294967295', '4294967295:4294967295:4294967295'],
    ['63400:300:100', '63400:300:100'],
  ]
  for (const [input, text] of good) t.equal(formatCommunity(parseCommunityValue(input, 'c')), text, input)
  t.equal(parseCommunityValue('1:2', 'c').kind, 'standard')
  t.equal(parseCommunityValue('1:2:3', 'c').kind, 'large')
  const bad: [unknown, string][] = [
    ['65536:1', 'standard community parts must be between 0 and 65535'],
    ['1:65536', 'between 0 and 65535'],
    ['4294967296:1:1', 'large community parts must be between 0 and 4294967295'],
    ['1', 'is not a community'],
    ['1:2:3:4', 'is not a community'],
    ['a:b', 'is not a community'],
    ['1:-2', 'is not a community'],
    [':1', 'is not a community'],
    ['1: 2', 'is not a community'],
    [12, 'expected a string'],
  ]
  for (const [input, fragment] of bad) expectInvalid(t, () => parseCommunityValue(input, 'v'), 'v', fragment, JSON.stringify(input))
  for (const name of ['bgp-large-community', 'A_1', 'x']) t.equal(isCommunityName(name), true, name)
  for (const name of ['', 'a b', 'a.b', 'a:b', 'é']) t.equal(isCommunityName(name), false, JSON.stringify(name))
})

t.test('interface patterns', async (t) => {
  for (const p of ['eth0', 'cali*', '*', 'vxlan.calico', 'eth0.100', 'veth@if3', 'a:b', 'we_ird-name', 'abcdefghijklmno', 'abcdefghijklmno*', '*abcdefghijklmno*']) {
    t.equal(isInterfacePattern(p), true, p)
  }
  for (const p of ['', 'eth 0', 'eth"0', 'a;b', 'abcdefghijklmnop', 'eth?', 'a/b', 'eth\n']) {
    t.equal(isInterfacePattern(p), false, JSON.stringify(p))
  }
})

t.test('resolveKind accepts calicoctl aliases in any case', async (t) => {
  const table: Record<string, string[]> = {
    Node: ['node', 'nodes', 'no', 'Node', 'NODES'],
    BGPPeer: ['bgppeer', 'bgppeers', 'bgpp', 'bgpps', 'bp', 'bps', 'BGPPeer'],
    BGPConfiguration: ['bgpconfiguration', 'bgpconfigurations', 'bgpconfig', 'bgpconfigs', 'BGPConfiguration'],
    IPPool: ['ippool', 'ippools', 'ipp', 'ipps', 'pool', 'pools', 'IPPool', 'IPPOOLS'],
    CalicoNodeStatus: ['caliconodestatus', 'caliconodestatuses', 'cns', 'CalicoNodeStatus', 'Cns'],
    WorkloadEndpoint: ['workloadendpoint', 'workloadendpoints', 'wep', 'weps', 'WorkloadEndpoint'],
  }
  for (const [kind, aliases] of Object.entries(table)) {
    for (const alias of aliases) t.equal(resolveKind(alias), kind, alias)
  }
  for (const text of ['', 'felixconfiguration', 'bgp', 'toString', '__proto__', 'nodes ']) {
    t.equal(resolveKind(text), undefined, JSON.stringify(text))
  }
})
