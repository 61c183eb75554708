import t from 'tap'
import {
  bigIntToIP, cidrContains, cidrOverlaps, formatPeerIP, ipToBigInt, parseCidr, parseIP, parsePeerIP,
} from '../../../src/api/index.js'
import { ValidationError } from '../../../src/api/errors.js'
import { expectInvalid } from './helpers.js'

t.test('parseIP canonicalises valid addresses', async (t) => {
  const good: [string, 4 | 6, string][] = [
    ['10.0.0.1', 4, '10.0.0.1'],
    ['0.0.0.0', 4, '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1'], // tie: first run wins
    ['2001:db8:0:1:1:1:1:1', 6, '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:db8:0:0:1:0:0:0', 6, '2001:db8:0:0:1::'], // longest run wins
    ['1:0:0:2:0:0:0:3', 6, '1:0:0:2::3'],
    ['::', 6, '::'],
    ['0:0:0:0:0:0:0:0', 6, '::'],
    ['::1', 6, '::1'],
    ['1::', 6, '1::'],
    ['FD99:0:0::0:1', 6, 'fd99::1'],
    ['fd99::0001', 6, 'fd99::1'],
    ['::ffff:1.2.3.4', 6, '::ffff:102:304'],
    ['64:ff9b::192.0.2.33', 6, '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:7:8', 6, '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6::8', 6, '1:2:3:4:5:6:0:8'],
  ]
  for (const [input, family, address] of good) {
    t.same(parseIP(input), { family, address }, input)
  }
  t.same(parseIP('fd00::1', 'x', { family: 6 }), { family: 6, address: 'fd00::1' })
})

t.test('parseIP rejects malformed addresses with a reason', async (t) => {
  const bad: [unknown, string | RegExp][] = [
    ['', 'empty'],
    ['010.0.0.1', 'leading zeros'],
    ['10.0.0.01', 'leading zeros'],
    ['10.0.0.256', 'octet 256'],
    ['10.0.0', 'not a valid IPv4'],
    ['10.0.0.1.2', 'not a valid IPv4'],
    [' 10.0.0.1', 'not a valid IPv4'],
    ['10.0.0.1 ', 'not a valid IPv4'],
    ['10.0.0.-1', 'not a valid IPv4'],
    ['1e1.0.0.1', 'not a valid IPv4'],
    ['10.0.0.1/32', 'not a valid IPv4'],
    ['fe80::1%eth0', 'zone'],
    ['1::2::3', 'more than one "::"'],
    ['12345::1', 'not a valid IPv6'],
    ['1:2:3:4:5:6:7:8:9', 'not a valid IPv6'],
    ['1:2:3:4:5:6:7', 'not a valid IPv6'],
    ['1:2:3:4:5:6:7::8', 'at least one group'],
    [':1::2', 'not a valid IPv6'],
    ['1::2:', 'not a valid IPv6'],
    ['g::1', 'not a valid IPv6'],
    ['::ffff:1.2.3.04', 'leading zeros'],
    ['[fd00::1]', 'not a valid IPv6'],
    [42, 'expected a string'],
    [null, 'expected a string'],
  ]
  for (const [input, fragment] of bad) {
    expectInvalid(t, () => parseIP(input, 'spec.peerIP'), 'spec.peerIP', fragment, JSON.stringify(input))
  }
  expectInvalid(t, () => parseIP('fd00::1', 'a', { family: 4 }), 'a', 'expected an IPv4 address, got an IPv6 address')
  expectInvalid(t, () => parseIP('10.0.0.1', 'a', { family: 6 }), 'a', 'expected an IPv6 address')
  expectInvalid(t, () => parseIP('nope'), '', 'not a valid IPv4')
})

t.test('parseCidr keeps host bits by default, masks with network, rejects with strict', async (t) => {
  t.same(parseCidr('10.99.0.2/24'), { family: 4, address: '10.99.0.2', prefixLen: 24, cidr: '10.99.0.2/24' })
  t.same(parseCidr('10.99.0.2/24', 'p', { network: true }), { family: 4, address: '10.99.0.0', prefixLen: 24, cidr: '10.99.0.0/24' })
  t.same(parseCidr('FD99::2/64'), { family: 6, address: 'fd99::2', prefixLen: 64, cidr: 'fd99::2/64' })
  t.equal(parseCidr('fd99::2:3/64', 'p', { network: true }).cidr, 'fd99::/64')
  t.equal(parseCidr('10.0.0.0/8', 'p', { strict: true }).cidr, '10.0.0.0/8')
  t.equal(parseCidr('0.0.0.0/0').cidr, '0.0.0.0/0')
  t.equal(parseCidr('::/0').cidr, '::/0')
  t.equal(parseCidr('1.2.3.4/0', 'p', { network: true }).cidr, '0.0.0.0/0')
  t.equal(parseCidr('10.0.0.1/32', 'p', { strict: true }).cidr, '10.0.0.1/32')
  t.equal(parseCidr('10.0.0.1', 'p', { allowAddress: true }).cidr, '10.0.0.1/32')
  t.equal(parseCidr('fd99::1', 'p', { allowAddress: true }).cidr, 'fd99::1/128')
  t.equal(parseCidr('192.168.0.0/16', 'p', { family: 4 }).prefixLen, 16)

  const bad: [string, object, string][] = [
    ['10.0.0.1', {}, 'is not a CIDR'],
    ['10.0.0.0/33', {}, 'prefix length must be between 0 and 32'],
    ['fd00::/129', {}, 'prefix length must be between 0 and 128'],
    ['10.0.0.0/08', {}, 'prefix length'],
    ['10.0.0.0/', {}, 'prefix length'],
    ['10.0.0.0/-1', {}, 'prefix length'],
    ['10.0.0.0/24/1', {}, 'prefix length'],
    ['10.0.0.0/ 24', {}, 'prefix length'],
    ['010.0.0.0/8', {}, 'leading zeros'],
    ['fe80::%eth0/64', {}, 'zone'],
    ['10.0.0.1/24', { strict: true }, 'host bits are set (did you mean 10.0.0.0/24?)'],
    ['fd00::1/64', { strict: true }, 'did you mean fd00::/64?'],
    ['fd00::/64', { family: 4 }, 'expected an IPv4 CIDR, got an IPv6 CIDR'],
    ['10.0.0.0/8', { family: 6 }, 'expected an IPv6 CIDR'],
  ]
  for (const [input, opts, fragment] of bad) {
    expectInvalid(t, () => parseCidr(input, 'spec.cidr', opts), 'spec.cidr', fragment, input)
  }
})

t.test('parsePeerIP accepts an optional port', async (t) => {
  const good: [string, { family: 4 | 6; address: string; port?: number }, string][] = [
    ['10.0.0.1', { family: 4, address: '10.0.0.1' }, '10.0.0.1'],
    ['10.0.0.1:1790', { family: 4, address: '10.0.0.1', port: 1790 }, '10.0.0.1:1790'],
    ['10.0.0.1:1', { family: 4, address: '10.0.0.1', port: 1 }, '10.0.0.1:1'],
    ['10.0.0.1:65535', { family: 4, address: '10.0.0.1', port: 65535 }, '10.0.0.1:65535'],
    ['fd00::1', { family: 6, address: 'fd00::1' }, 'fd00::1'],
    ['FD00:0::1', { family: 6, address: 'fd00::1' }, 'fd00::1'],
    ['[fd00::1]:1790', { family: 6, address: 'fd00::1', port: 1790 }, '[fd00::1]:1790'],
    ['[FD00:0::1]:179', { family: 6, address: 'fd00::1', port: 179 }, '[fd00::1]:179'],
  ]
  for (const [input, parsed, text] of good) {
    t.same(parsePeerIP(input), parsed, input)
    t.equal(formatPeerIP(parsePeerIP(input)), text, `${input} formats`)
  }
  const bad: [string, string][] = [
    ['10.0.0.1:0', 'port must be between 1 and 65535'],
    ['10.0.0.1:65536', 'port must be between 1 and 65535'],
    ['10.0.0.1:01790', 'port must be'],
    ['10.0.0.1:', 'port must be'],
    ['10.0.0.1:abc', 'port must be'],
    ['[fd00::1]', 'brackets are only used as "[IPv6]:port"'],
    ['[fd00::1]:', 'port must be'],
    ['[fd00::1]:1790x', 'port must be'],
    ['[10.0.0.1]:179', 'expected an IPv6 address'],
    ['fd00::1%eth0', 'zone'],
    ['host.example:179', 'not a valid IPv4'],
    ['010.0.0.1:179', 'leading zeros'],
    ['', 'empty'],
  ]
  for (const [input, fragment] of bad) {
    expectInvalid(t, () => parsePeerIP(input, 'spec.peerIP'), 'spec.peerIP', fragment, input)
  }
})

t.test('ipToBigInt / bigIntToIP', async (t) => {
  t.equal(ipToBigInt('10.0.0.1'), 167772161n)
  t.equal(ipToBigInt('255.255.255.255'), 4294967295n)
  t.equal(ipToBigInt('::1'), 1n)
  t.equal(ipToBigInt('ffff::'), 0xffffn << 112n)
  t.equal(bigIntToIP(167772161n, 4), '10.0.0.1')
  t.equal(bigIntToIP(1n, 6), '::1')
  t.equal(bigIntToIP(ipToBigInt('2001:db8::1') + 1n, 6), '2001:db8::2')
  t.throws(() => bigIntToIP(1n << 32n, 4), RangeError)
  t.throws(() => bigIntToIP(-1n, 6), RangeError)
  t.throws(() => ipToBigInt('10.0.0.01'), ValidationError)
})

t.test('cidrContains and cidrOverlaps', async (t) => {
  const contains: [string, string, boolean][] = [
    ['10.0.0.0/8', '10.1.2.3', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['10.0.0.0/8', '10.0.0.0/16', true],
    ['10.0.0.0/16', '10.0.0.0/8', false],
    ['10.0.0.7/24', '10.0.0.200', true],
    ['192.168.0.0/16', '192.168.255.192/26', true],
    ['fd99::/16', 'fd99:1::5', true],
    ['fd99::/16', 'fd98::1', false],
    ['::/0', '10.0.0.1', false],
    ['0.0.0.0/0', 'fd00::1', false],
    ['10.0.0.1/32', '10.0.0.1', true],
  ]
  for (const [cidr, ip, want] of contains) t.equal(cidrContains(cidr, ip), want, `${cidr} ∋ ${ip}`)
  t.equal(cidrOverlaps('10.0.0.0/8', '10.255.0.0/16'), true)
  t.equal(cidrOverlaps('10.255.0.0/16', '10.0.0.0/8'), true)
  t.equal(cidrOverlaps('10.0.0.0/24', '10.0.1.0/24'), false)
  t.equal(cidrOverlaps('fe80::/10', 'fe80::/64'), true)
  t.equal(cidrOverlaps('10.0.0.0/8', 'fd00::/8'), false)
  t.throws(() => cidrContains('10.0.0.0/33', '10.0.0.1'), ValidationError)
})
