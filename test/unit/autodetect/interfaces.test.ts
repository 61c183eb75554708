import t from 'tap'
import { InterfaceListError, listInterfaces, parseIpAddrJson } from '../../../src/node/interfaces.js'
import { fixtureText, lab, loOnly } from './fixtures.js'

t.test('parses the lab namespace in kernel order', async (t) => {
  t.same(
    lab.map((i) => i.name),
    ['lo', 'docker0', 'br-xyz', 'cali123', 'veth9a', 'dummy0', 'eth9', 'ens3', 'eth0', 'eth1'],
  )
  t.same(lab.map((i) => i.index), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  const by = (n: string) => lab.find((i) => i.name === n)!
  t.same(by('lo').flags, ['LOOPBACK', 'UP', 'LOWER_UP'])
  t.equal(by('lo').operstate, 'UNKNOWN')
  t.equal(by('dummy0').operstate, 'UNKNOWN')
  t.ok(by('dummy0').flags.includes('UP'))
  t.same(by('eth9').flags, ['BROADCAST', 'MULTICAST'], 'the down link has no UP flag')
  t.equal(by('br-xyz').operstate, 'DOWN')
  t.ok(by('br-xyz').flags.includes('UP'), 'the empty bridge is administratively up')

  t.same(by('lo').addresses[0], {
    family: 4, address: '127.0.0.1', prefixlen: 8, scope: 'host',
    tentative: false, deprecated: false, dadfailed: false, flags: [],
  })
  t.same(
    by('ens3').addresses.map((a) => [a.family, `${a.address}/${a.prefixlen}`, a.scope, a.tentative, a.deprecated, a.dadfailed]),
    [
      [4, '169.254.7.7/16', 'global', false, false, false],
      [4, '10.99.4.2/24', 'global', false, true, false],
      [6, 'fd99:4::3/64', 'global', true, false, true],
      [6, 'fd99:4::2/64', 'global', false, true, false],
      [6, 'fd99:4::1/64', 'global', true, false, false],
      [6, 'fe80::99:ff:fe00:8/64', 'link', true, false, false],
    ],
  )
  t.same(by('ens3').addresses.find((a) => a.address === 'fd99:4::2')?.flags, ['nodad', 'deprecated'])
  t.same(
    by('eth1').addresses.map((a) => `${a.address}/${a.prefixlen}`),
    ['10.99.2.1/24', '10.99.3.1/24', 'fd99:2::1/64', 'fd99:3::1/64', 'fe80::99:ff:fe00:a/64'],
  )
})

t.test('a fresh namespace with lo up: loopback addresses only', async (t) => {
  t.same(loOnly.map((i) => [i.name, i.flags, i.operstate]), [['lo', ['LOOPBACK', 'UP', 'LOWER_UP'], 'UNKNOWN']])
  t.same(loOnly[0]?.addresses.map((a) => [a.family, a.address, a.prefixlen, a.scope]), [
    [4, '127.0.0.1', 8, 'host'],
    [6, '::1', 128, 'host'],
  ])
})

t.test('drops address entries iproute2 prints empty and families it does not route', async (t) => {
  const text = JSON.stringify([
    { ifindex: 3, ifname: 'eth0', flags: ['UP'], operstate: 'UP', addr_info: [{}, { family: 'inet', local: '10.99.0.1', prefixlen: 24 }] },
    { ifindex: 4, ifname: 'can0', flags: ['UP'], addr_info: [{ family: 'mpls', local: 'x', prefixlen: 0 }] },
    { ifindex: 5, ifname: 'wg0', flags: ['UP'], operstate: 'UNKNOWN' },
  ])
  const parsed = parseIpAddrJson(text)
  t.same(parsed[0]?.addresses, [
    { family: 4, address: '10.99.0.1', prefixlen: 24, scope: 'global', tentative: false, deprecated: false, dadfailed: false, flags: [] },
  ])
  t.equal(parsed[1]?.operstate, 'UNKNOWN', 'a missing operstate reads as UNKNOWN')
  t.same(parsed[1]?.addresses, [])
  t.same(parsed[2]?.addresses, [])
})

t.test('malformed output is a typed error that says where', async (t) => {
  t.throws(() => parseIpAddrJson('Object "addr" is unknown'), { name: 'InterfaceListError', message: /did not print JSON/ })
  t.throws(() => parseIpAddrJson('{}'), { name: 'InterfaceListError', message: /JSON array/ })
  t.throws(() => parseIpAddrJson('[{"ifindex":1}]'), { message: /\[0\]\.ifname: expected a non-empty string/ })
  t.throws(() => parseIpAddrJson('[{"ifindex":"1","ifname":"lo"}]'), { message: /\[0\] \(lo\)\.ifindex/ })
  t.throws(
    () => parseIpAddrJson('[{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1"}]}]'),
    { message: /addr_info\[0\]\.prefixlen/ },
  )
  t.throws(() => parseIpAddrJson('[{"ifindex":1,"ifname":"lo","flags":"UP"}]'), { message: /flags: expected an array/ })
})

t.test('listInterfaces runs `ip -j addr show` through the injected runner', async (t) => {
  const calls: [string, readonly string[]][] = []
  const ifaces = await listInterfaces(async (cmd, args) => {
    calls.push([cmd, args])
    return fixtureText('ip-addr-lab.json')
  })
  t.same(calls, [['ip', ['-j', 'addr', 'show']]])
  t.same(ifaces, lab)

  const failing = listInterfaces(async () => {
    throw new Error('spawn ip ENOENT')
  })
  await t.rejects(failing, InterfaceListError)
  await t.rejects(
    listInterfaces(async () => {
      throw new Error('spawn ip ENOENT')
    }),
    { message: 'listing network interfaces: `ip -j addr show` failed: spawn ip ENOENT' },
  )
})

t.test('the default runner lists this host for real', async (t) => {
  const ifaces = await listInterfaces()
  t.ok(ifaces.some((i) => i.flags.includes('LOOPBACK')), 'finds a loopback interface')
})
