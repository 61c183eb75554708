import t from 'tap'
import { ValidationError } from '../../../src/api/errors.js'
import { cidrContains, cidrOverlaps, formatCidr, freeBlocks, parseCidr } from '../../../src/datastore/cidr.js'

const take = <T>(it: Iterable<T>, n: number): T[] => {
  const out: T[] = []
  for (const x of it) {
    if (out.length >= n) break
    out.push(x)
  }
  return out
}

t.test('parse and print round trip in Go form', async (t) => {
  t.equal(formatCidr(parseCidr('192.168.0.0/16')), '192.168.0.0/16')
  t.equal(formatCidr(parseCidr('FD99:0000:0:0::/48')), 'fd99::/48')
  t.equal(formatCidr(parseCidr('fd99:0:0:1:0:0:0:0/64')), 'fd99:0:0:1::/64')
  t.equal(formatCidr(parseCidr('fd00:0:1:0:0:1:0:0/128')), 'fd00:0:1::1:0:0/128')
  t.throws(() => parseCidr('10.0.0.1/24'), ValidationError)
  t.throws(() => parseCidr('10.0.0.0'), ValidationError)
  t.throws(() => parseCidr('10.0.0.0/33'), ValidationError)
})

t.test('containment and overlap', async (t) => {
  const pool = parseCidr('10.0.0.0/16')
  t.ok(cidrContains(pool, parseCidr('10.0.255.192/26')))
  t.notOk(cidrContains(pool, parseCidr('10.1.0.0/26')))
  t.notOk(cidrContains(pool, parseCidr('fd99::/122')))
  t.ok(cidrOverlaps(parseCidr('10.0.0.0/24'), parseCidr('10.0.0.128/25')))
  t.notOk(cidrOverlaps(parseCidr('10.0.0.0/25'), parseCidr('10.0.0.128/25')))
})

t.test('free blocks come in address order and skip taken ones of any size', async (t) => {
  const pool = parseCidr('10.0.0.0/24')
  t.same([...freeBlocks(pool, 26, [])].map(formatCidr), ['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26', '10.0.0.192/26'])
  t.same(
    [...freeBlocks(pool, 26, [parseCidr('10.0.0.64/26'), parseCidr('10.0.0.130/31'), parseCidr('192.168.0.0/26')])].map(formatCidr),
    ['10.0.0.0/26', '10.0.0.192/26'],
  )
  t.same([...freeBlocks(pool, 26, [parseCidr('10.0.0.0/23')])], [], 'a bigger taken block covers everything')
  t.throws(() => [...freeBlocks(pool, 23, [])], ValidationError)
})

t.test('IPv6 pools are walked lazily', async (t) => {
  const pool = parseCidr('fd99::/48')
  t.same(take(freeBlocks(pool, 122, [parseCidr('fd99::/122')]), 2).map(formatCidr), ['fd99::40/122', 'fd99::80/122'])
})
