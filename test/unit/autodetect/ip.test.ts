import t from 'tap'
import { cidrContains, ipFamily, nonGlobalUnicastClass, parseCidr, parseIp, sameIp } from '../../../src/node/autodetect/ip.js'

t.test('families and parsing', async (t) => {
  t.equal(ipFamily('10.99.0.1'), 4)
  t.equal(ipFamily('fd99::1'), 6)
  t.equal(ipFamily('::ffff:10.99.0.1'), 6)
  t.equal(ipFamily('fe80::1%eth0'), undefined, 'zone ids are refused')
  t.equal(ipFamily('10.99.0'), undefined)
  t.equal(ipFamily('gw.test'), undefined)
  t.equal(parseIp('10.99.1.2')?.value, 0x0a630102n)
  t.equal(parseIp('fd99::1')?.value, (0xfd99n << 112n) | 1n)
  t.equal(parseIp('::')?.value, 0n)
  t.equal(parseIp('::ffff:10.99.1.2')?.value, (0xffffn << 32n) | 0x0a630102n)
  t.equal(parseIp('1:2:3:4:5:6:7:8')?.value, 0x00010002000300040005000600070008n)
})

t.test('sameIp compares values, not spellings', async (t) => {
  t.ok(sameIp('fd99:2::1', 'fd99:2:0:0:0:0:0:1'))
  t.ok(sameIp('FD99:2::1', 'fd99:2::1'))
  t.notOk(sameIp('fd99:2::1', 'fd99:2::2'))
  t.notOk(sameIp('10.99.0.1', '::ffff:10.99.0.1'), 'different families never match')
  t.notOk(sameIp('x', 'x'))
})

t.test('CIDRs', async (t) => {
  const c = parseCidr('10.99.3.7/24')!
  t.match(c, { text: '10.99.3.7/24', family: 4, network: 0x0a630300n, prefixlen: 24 }, 'host bits are masked, as Go does')
  t.ok(cidrContains(c, parseIp('10.99.3.1')!))
  t.notOk(cidrContains(c, parseIp('10.99.4.1')!))
  t.notOk(cidrContains(c, parseIp('::ffff:10.99.3.1')!), 'an IPv6 address is never inside an IPv4 CIDR')
  t.ok(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('10.99.3.1')!))
  t.ok(cidrContains(parseCidr('fd99:3::/64')!, parseIp('fd99:3::1')!))
  t.notOk(cidrContains(parseCidr('fd99:3::/64')!, parseIp('fd99:3:0:1::1')!))
  t.ok(cidrContains(parseCidr('fd99:3::1/128')!, parseIp('fd99:3::1')!))
  for (const bad of ['10.99.0.0', '10.99.0.0/33', 'fd99::/129', '10.99.0.0/', '10.99.0.0/x', 'nope/8', '10.99.0.0/-1', '10.99.0.0/8/8']) {
    t.equal(parseCidr(bad), undefined, `${bad} is refused`)
  }
})

t.test('address classes that cannot route a node', async (t) => {
  const cls = (a: string) => nonGlobalUnicastClass(parseIp(a)!)
  t.equal(cls('0.0.0.0'), 'unspecified address')
  t.equal(cls('255.255.255.255'), 'broadcast address')
  t.equal(cls('127.0.0.1'), 'loopback address')
  t.equal(cls('127.99.0.1'), 'loopback address')
  t.equal(cls('169.254.7.7'), 'link-local address')
  t.equal(cls('224.0.0.5'), 'multicast address')
  t.equal(cls('239.1.1.1'), 'multicast address')
  t.equal(cls('::'), 'unspecified address')
  t.equal(cls('::1'), 'loopback address')
  t.equal(cls('fe80::99:ff:fe00:9'), 'link-local address')
  t.equal(cls('febf::1'), 'link-local address')
  t.equal(cls('ff02::1'), 'multicast address')
  for (const ok of ['10.99.1.1', '192.168.0.1', '100.64.0.1', '240.0.0.1', 'fd99:1::1', 'fec0::1', '2001:db8::1']) {
    t.equal(cls(ok), undefined, `${ok} is global unicast (private ranges included, as in Go)`)
  }
})
