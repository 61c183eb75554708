import t from 'tap'
import { pino } from 'pino'
import {
  autodetectAddress,
  AutodetectMethodError,
  DestinationUnresolvedError,
  NoAddressFoundError,
  parseAutodetectMethod,
} from '../../../src/node/autodetect/index.js'
import type { AddressFamily } from '../../../src/node/interfaces.js'
import { lab } from './fixtures.js'

const listInterfaces = async () => lab

function capturingLogger() {
  const records: Record<string, unknown>[] = []
  const log = pino({ level: 'debug', base: undefined }, { write: (line: string) => void records.push(JSON.parse(line)) })
  return { log, records }
}

t.test('returns the chosen address, its interface and the trace', async (t) => {
  const r = await autodetectAddress(parseAutodetectMethod('first-found'), 4, { listInterfaces })
  t.equal(r.address, '10.99.1.1/24')
  t.equal(r.interface, 'eth0')
  t.same(
    r.trace.map((d) => d.interface),
    ['lo', 'docker0', 'br-xyz', 'cali123', 'veth9a', 'dummy0', 'eth9', 'ens3', 'ens3', 'eth0', 'eth1'],
    'one entry per interface, or per address looked at on it',
  )
})

t.test('logs every decision at debug level', async (t) => {
  const { log, records } = capturingLogger()
  const r = await autodetectAddress(parseAutodetectMethod('interface=eth1'), 6, { listInterfaces, log })
  t.equal(r.address, 'fd99:2::1/64')
  const candidates = records.filter((r) => r.msg === 'autodetect candidate')
  t.equal(candidates.length, r.trace.length)
  t.ok(candidates.every((c) => c.level === 20), 'debug level')
  t.match(candidates.find((c) => c.decision === 'chosen'), { level: 20, autodetect: 'interface=eth1', family: 6, interface: 'eth1', address: 'fd99:2::1/64', decision: 'chosen' })
  t.match(records.at(-1), { msg: 'autodetected address', address: 'fd99:2::1/64', interface: 'eth1' })

  const quiet = capturingLogger()
  quiet.log.level = 'info'
  await autodetectAddress(parseAutodetectMethod('first-found'), 4, { listInterfaces, log: quiet.log })
  t.same(quiet.records, [], 'nothing above debug')
})

t.test('can-reach asks sourceFor, then finds the interface', async (t) => {
  const asked: [string, AddressFamily][] = []
  const sourceFor = async (dest: string, family: AddressFamily) => {
    asked.push([dest, family])
    return family === 4 ? '10.99.2.1' : 'fd99:2::1'
  }
  const r4 = await autodetectAddress(parseAutodetectMethod('can-reach=10.99.200.7'), 4, { listInterfaces, sourceFor })
  t.same([r4.address, r4.interface], ['10.99.2.1/24', 'eth1'])
  const r6 = await autodetectAddress(parseAutodetectMethod('can-reach=gw6.test'), 6, { listInterfaces, sourceFor })
  t.same([r6.address, r6.interface], ['fd99:2::1/64', 'eth1'])
  t.same(asked, [['10.99.200.7', 4], ['gw6.test', 6]])

  const { log, records } = capturingLogger()
  await autodetectAddress(parseAutodetectMethod('can-reach=10.99.200.7'), 4, { listInterfaces, sourceFor, log })
  t.match(records[0], { msg: 'kernel source address', destination: '10.99.200.7', source: '10.99.2.1' })
})

t.test('nothing found: NoAddressFoundError carries the reason and the trace', async (t) => {
  const err = await autodetectAddress(parseAutodetectMethod('skip-interface=eth.*,ens.*'), 4, { listInterfaces }).catch((e: unknown) => e)
  t.type(err, NoAddressFoundError)
  if (!(err instanceof NoAddressFoundError)) return
  t.equal(err.method, 'skip-interface=eth.*,ens.*')
  t.equal(err.family, 4)
  t.equal(err.trace.length, lab.length)
  t.ok(err.message.startsWith(
    'IPv4 autodetection (skip-interface=eth.*,ens.*) found no address: no interface outside the skip list and the default excludes has a usable global-unicast IPv4 address [lo: matches default exclude ^lo; docker0: matches default exclude ^docker.*;',
  ), err.message)
  t.match(err.message, /eth1: matches skip-interface regex eth\.\*\]$/)

  const noRoute = await autodetectAddress(parseAutodetectMethod('can-reach=10.99.250.1'), 4, {
    listInterfaces,
    sourceFor: async () => undefined,
  }).catch((e: unknown) => e)
  t.match(noRoute, { name: 'NoAddressFoundError', message: 'IPv4 autodetection (can-reach=10.99.250.1) found no address: the kernel has no IPv4 route to 10.99.250.1' })
})

t.test('an unresolvable name is reported as no address found', async (t) => {
  const sourceFor = async (dest: string, family: AddressFamily): Promise<string | undefined> => {
    throw new DestinationUnresolvedError(dest, family, 'ENOTFOUND')
  }
  const err = await autodetectAddress(parseAutodetectMethod('can-reach=gw6.test'), 6, { listInterfaces, sourceFor }).catch((e: unknown) => e)
  t.match(err, {
    name: 'NoAddressFoundError',
    message: 'IPv6 autodetection (can-reach=gw6.test) found no address: gw6.test does not resolve to an IPv6 address (ENOTFOUND)',
    trace: [],
  })
})

t.test('other failures pass through untouched', async (t) => {
  const boom = new Error('socket: EMFILE')
  await t.rejects(
    autodetectAddress(parseAutodetectMethod('can-reach=10.99.200.7'), 4, { listInterfaces, sourceFor: async () => Promise.reject(boom) }),
    boom,
  )
  const listFailure = new Error('ip: not found')
  await t.rejects(autodetectAddress(parseAutodetectMethod('first-found'), 4, { listInterfaces: () => Promise.reject(listFailure) }), listFailure)
})

t.test('a family mismatch fails before touching the host', async (t) => {
  let listed = false
  let asked = false
  const deps = {
    listInterfaces: async () => ((listed = true), lab),
    sourceFor: async () => ((asked = true), '10.99.2.1'),
  }
  await t.rejects(autodetectAddress(parseAutodetectMethod('can-reach=10.99.200.7'), 6, deps), AutodetectMethodError)
  await t.rejects(autodetectAddress(parseAutodetectMethod('cidr=10.99.0.0/16'), 6, deps), AutodetectMethodError)
  t.notOk(listed)
  t.notOk(asked)
})
