import t from 'tap'
import {
  AutodetectMethodError,
  parseAutodetectMethod,
  selectAddress,
  type Decision,
  type Selection,
} from '../../../src/node/autodetect/index.js'
import { DEFAULT_INTERFACE_EXCLUDES } from '../../../src/node/autodetect/default-excludes.js'
import type { AddressFamily, Iface } from '../../../src/node/interfaces.js'
import { lab, loOnly } from './fixtures.js'

const select = (method: string, family: AddressFamily, ifaces: readonly Iface[] = lab, source?: string): Selection =>
  selectAddress(parseAutodetectMethod(method), family, ifaces, source)

const chosen = (s: Selection) => (s.chosen ? `${s.chosen.interface} ${s.chosen.address}` : undefined)
const line = (d: Decision) => `${d.decision} ${d.interface}${d.address ? ` ${d.address}` : ''}: ${d.reason}`

t.test('the default excludes are Calico\'s', async (t) => {
  t.same(DEFAULT_INTERFACE_EXCLUDES, [
    '^docker.*', '^cbr.*', '^dummy.*', '^podman.*', '^virbr.*', '^lxcbr.*', '^veth.*', '^lo', '^br-.*', '^cali.*',
    '^tunl.*', '^flannel.*', '^kube-ipvs.*', '^cni.*', '^vxlan\\.calico.*', '^vxlan-v6\\.calico.*',
    '^wireguard\\.cali.*', '^wg-v6\\.cali.*', '^nodelocaldns.*',
  ])
})

t.test('first-found IPv4: every skip explained, eth0 wins', async (t) => {
  const s = select('first-found', 4)
  t.equal(chosen(s), 'eth0 10.99.1.1/24')
  t.same(s.trace.map(line), [
    'skipped lo: matches default exclude ^lo',
    'skipped docker0: matches default exclude ^docker.*',
    'skipped br-xyz: matches default exclude ^br-.*',
    'skipped cali123: matches default exclude ^cali.*',
    'skipped veth9a: matches default exclude ^veth.*',
    'skipped dummy0: matches default exclude ^dummy.*',
    'skipped eth9: interface is down (administratively: no UP flag)',
    'skipped ens3 169.254.7.7/16: link-local address',
    'skipped ens3 10.99.4.2/24: deprecated: preferred lifetime is over',
    'chosen eth0 10.99.1.1/24: first global-unicast IPv4 address on an interface not excluded',
    'skipped eth1: not examined: 10.99.1.1/24 on eth0 was chosen first',
  ])
})

t.test('first-found IPv6: tentative, deprecated, dadfailed and link-local are passed over', async (t) => {
  const s = select('first-found', 6)
  t.equal(chosen(s), 'eth0 fd99:1::1/64')
  t.same(s.trace.filter((d) => d.interface === 'ens3').map(line), [
    'skipped ens3 fd99:4::3/64: duplicate address detection failed (dadfailed)',
    'skipped ens3 fd99:4::2/64: deprecated: preferred lifetime is over',
    'skipped ens3 fd99:4::1/64: tentative: duplicate address detection has not finished',
    'skipped ens3 fe80::99:ff:fe00:8/64: link-local address',
  ])
})

t.test('an interface without an address of the family is skipped as such', async (t) => {
  const v4only: Iface[] = lab.map((i) => ({ ...i, addresses: i.addresses.filter((a) => a.family === 4) }))
  const s = select('first-found', 6, v4only)
  t.equal(s.chosen, undefined)
  t.ok(s.trace.some((d) => line(d) === 'skipped eth0: no IPv6 address'))
  t.ok(s.trace.some((d) => line(d) === 'skipped ens3: no IPv6 address'))
})

t.test('operstate: UNKNOWN with UP counts as up, DOWN/LOWERLAYERDOWN do not', async (t) => {
  const s = select('interface=dummy0', 4)
  t.equal(chosen(s), 'dummy0 10.99.21.1/32', 'dummy links report UNKNOWN while up')
  t.equal(chosen(select('interface=dummy0', 6)), 'dummy0 fd99:21::1/128')
  const brDown = select('interface=br-.*', 4)
  t.equal(brDown.chosen, undefined)
  t.same(brDown.trace.filter((d) => d.interface === 'br-xyz').map(line), ['skipped br-xyz: interface is down (operstate DOWN)'])
  const vlan: Iface[] = [{ ...lab.find((i) => i.name === 'eth1')!, name: 'eth1.100', operstate: 'LOWERLAYERDOWN' }]
  t.same(select('first-found', 4, vlan).trace.map(line), ['skipped eth1.100: interface is down (operstate LOWERLAYERDOWN)'])
})

t.test('skip-interface adds to the default excludes', async (t) => {
  const s4 = select('skip-interface=eth0', 4)
  t.equal(chosen(s4), 'eth1 10.99.2.1/24')
  t.same(s4.trace.slice(0, 2).map(line), ['skipped lo: matches default exclude ^lo', 'skipped docker0: matches default exclude ^docker.*'])
  t.ok(s4.trace.some((d) => line(d) === 'skipped eth0: matches skip-interface regex eth0'))
  t.equal(chosen(select('skip-interface=eth0', 6)), 'eth1 fd99:2::1/64')
  t.equal(chosen(select('skip-interface=^nothing$', 4)), 'eth0 10.99.1.1/24', 'defaults still apply')

  const none = select('skip-interface=eth.*,ens.*', 4)
  t.equal(none.chosen, undefined)
  if (none.chosen === undefined) t.match(none.reason, /outside the skip list and the default excludes/)
  t.same(none.trace.slice(-3).map(line), [
    'skipped ens3: matches skip-interface regex ens.*',
    'skipped eth0: matches skip-interface regex eth.*',
    'skipped eth1: matches skip-interface regex eth.*',
  ])
  t.same(
    select('skip-interface=eth9', 4).trace.find((d) => d.interface === 'eth9'),
    { interface: 'eth9', decision: 'skipped', reason: 'matches skip-interface regex eth9' },
    'the operator\'s own regex is reported before the down state',
  )
})

t.test('interface= takes the first matching interface in kernel order, no default excludes', async (t) => {
  t.equal(chosen(select('interface=eth1', 4)), 'eth1 10.99.2.1/24')
  t.equal(chosen(select('interface=eth1', 6)), 'eth1 fd99:2::1/64')
  const s = select('interface=nomatch,^eth[19]', 4)
  t.equal(chosen(s), 'eth1 10.99.2.1/24', 'eth9 matches first but is down')
  t.same(s.trace.filter((d) => ['lo', 'veth9a', 'eth9', 'eth0', 'eth1'].includes(d.interface)).map(line), [
    'skipped lo: does not match nomatch, ^eth[19]',
    'skipped veth9a: does not match nomatch, ^eth[19]',
    'skipped eth9: interface is down (administratively: no UP flag)',
    'skipped eth0: does not match nomatch, ^eth[19]',
    'chosen eth1 10.99.2.1/24: first global-unicast IPv4 address on an interface matching nomatch, ^eth[19]',
  ])
  t.equal(chosen(select('interface=eth9', 4)), 'veth9a 10.99.20.1/24', 'unanchored, as in Calico: eth9 also matches veth9a, which comes first')
  t.equal(chosen(select('interface=^eth', 4)), 'eth0 10.99.1.1/24', '^eth: eth9 is down, ens3 does not match')
  t.equal(chosen(select('interface=docker.*', 4)), 'docker0 10.99.17.1/24', 'named interfaces are not excluded')
  t.equal(chosen(select('interface=docker.*', 6)), 'docker0 fd99:17::1/64')
  t.equal(chosen(select('interface=cali.*,eth0', 6)), 'cali123 fd99:19::1/64', 'kernel order, not regex order')

  const lo = select('interface=lo', 4)
  t.equal(lo.chosen, undefined)
  t.same(lo.trace.slice(0, 1).map(line), ['skipped lo 127.0.0.1/8: loopback address'])
  t.same(select('interface=lo', 6).trace.slice(0, 1).map(line), ['skipped lo ::1/128: loopback address'])

  const ens = select('interface=ens3', 6)
  t.equal(ens.chosen, undefined)
  if (ens.chosen === undefined) t.equal(ens.reason, 'no interface matching ens3 has a usable global-unicast IPv6 address')
})

t.test('cidr= picks the first address inside any CIDR, no default excludes', async (t) => {
  const s = select('cidr=10.99.3.0/24', 4)
  t.equal(chosen(s), 'eth1 10.99.3.1/24')
  t.same(s.trace.filter((d) => d.interface === 'eth1').map(line), [
    'skipped eth1 10.99.2.1/24: not inside 10.99.3.0/24',
    'chosen eth1 10.99.3.1/24: inside 10.99.3.0/24',
  ])
  t.equal(chosen(select('cidr=fd99:3::/64', 6)), 'eth1 fd99:3::1/64')
  t.equal(chosen(select('cidr=10.99.3.0/24,fd99:3::/64', 6)), 'eth1 fd99:3::1/64', 'each family uses its own CIDRs')
  t.equal(chosen(select('cidr=10.99.0.0/16', 4)), 'docker0 10.99.17.1/24', 'kernel order; docker0 is not excluded')
  t.equal(chosen(select('cidr=10.99.200.0/24,10.99.2.0/24', 4)), 'eth1 10.99.2.1/24')
  t.equal(chosen(select('cidr=fd99:2::1/128', 6)), 'eth1 fd99:2::1/64', 'the stored prefix is the interface\'s, not the CIDR\'s')

  const down = select('cidr=10.99.9.0/24', 4)
  t.equal(down.chosen, undefined, 'eth9 holds it but is down')
  if (down.chosen === undefined) t.equal(down.reason, 'no usable address inside 10.99.9.0/24')
  t.equal(select('cidr=10.99.4.0/24', 4).chosen, undefined, 'the deprecated 10.99.4.2 does not count')
  t.equal(select('cidr=169.254.0.0/16', 4).chosen, undefined, 'link-local never counts')
  t.equal(select('cidr=fd99:4::/64', 6).chosen, undefined, 'tentative, deprecated and dadfailed never count')
})

t.test('can-reach= finds the interface holding the kernel\'s source address', async (t) => {
  const s = select('can-reach=10.99.200.7', 4, lab, '10.99.2.1')
  t.equal(chosen(s), 'eth1 10.99.2.1/24')
  t.same(s.trace.slice(-3).map(line), [
    'skipped ens3: does not hold 10.99.2.1, the kernel\'s source address toward 10.99.200.7',
    'skipped eth0: does not hold 10.99.2.1, the kernel\'s source address toward 10.99.200.7',
    'chosen eth1 10.99.2.1/24: the kernel\'s source address toward 10.99.200.7',
  ])
  t.equal(chosen(select('can-reach=10.99.100.7', 4, lab, '10.99.1.1')), 'eth0 10.99.1.1/24')
  t.equal(chosen(select('can-reach=fd99:2:ff::7', 6, lab, 'fd99:2:0::1')), 'eth1 fd99:2::1/64', 'addresses compare by value')
  t.equal(chosen(select('can-reach=gw6.test', 6, lab, 'fd99:3::1')), 'eth1 fd99:3::1/64')
  t.equal(
    chosen(select('can-reach=10.99.21.9', 4, lab, '10.99.21.1')),
    'dummy0 10.99.21.1/32',
    'the kernel\'s answer is final: no default excludes apply',
  )
  t.equal(chosen(select('can-reach=127.0.0.1', 4, lab, '127.0.0.1')), 'lo 127.0.0.1/8')
  t.equal(select('can-reach=gw.test', 6, lab, '10.99.2.1').chosen, undefined, 'an IPv4 source does not count for IPv6')

  const noRoute = select('can-reach=10.99.250.1', 4, lab, undefined)
  t.same(noRoute, { chosen: undefined, reason: 'the kernel has no IPv4 route to 10.99.250.1', trace: [] })
  const notHeld = select('can-reach=gw4.test', 4, lab, '10.99.250.250')
  t.equal(notHeld.chosen, undefined)
  if (notHeld.chosen === undefined) t.equal(notHeld.reason, 'no interface holds 10.99.250.250, the kernel\'s source address toward gw4.test')
  t.equal(notHeld.trace.length, lab.length)
})

t.test('a method that cannot yield the family is a method error', async (t) => {
  t.throws(() => select('can-reach=10.99.200.7', 6), {
    name: 'AutodetectMethodError',
    message: 'IP autodetection method "can-reach=10.99.200.7": 10.99.200.7 is an IPv4 address but IPv6 autodetection needs an IPv6 destination',
    item: '10.99.200.7',
  })
  t.throws(() => select('can-reach=fd99::1', 4), AutodetectMethodError)
  t.throws(() => select('cidr=10.99.0.0/16', 6), { message: /none of the CIDRs is IPv6/ })
  t.throws(() => select('cidr=fd99::/16', 4), { message: /none of the CIDRs is IPv4/ })
})

t.test('a namespace with only lo finds nothing, and says why', async (t) => {
  const s = select('first-found', 4, loOnly)
  t.same(s, {
    chosen: undefined,
    reason: 'no interface outside the default excludes has a usable global-unicast IPv4 address',
    trace: [{ interface: 'lo', decision: 'skipped', reason: 'matches default exclude ^lo' }],
  })
  t.same(select('interface=lo', 6, loOnly).trace, [{ interface: 'lo', address: '::1/128', decision: 'skipped', reason: 'loopback address' }])
  const loDown: Iface[] = loOnly.map((i) => ({ ...i, flags: ['LOOPBACK'], operstate: 'DOWN' }))
  t.same(select('interface=lo', 4, loDown).trace, [{ interface: 'lo', decision: 'skipped', reason: 'interface is down (administratively: no UP flag)' }])
  t.same(select('first-found', 4, []), { chosen: undefined, reason: 'no interface outside the default excludes has a usable global-unicast IPv4 address', trace: [] })
})

t.test('selection is pure: same input, same output, input untouched', async (t) => {
  const before = JSON.stringify(lab)
  const a = select('first-found', 6)
  const b = select('first-found', 6)
  t.same(a, b)
  t.equal(JSON.stringify(lab), before)
})
