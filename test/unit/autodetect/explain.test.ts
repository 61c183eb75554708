import t from 'tap'
import { formatTrace, parseAutodetectMethod, selectAddress, summariseTrace, type Decision } from '../../../src/node/autodetect/index.js'
import { lab } from './fixtures.js'

t.test('formatTrace aligns one line per decision', async (t) => {
  const s = selectAddress(parseAutodetectMethod('cidr=10.99.3.0/24'), 4, lab)
  t.same(formatTrace(s.trace.slice(-4)), [
    'skipped  ens3       10.99.4.2/24  deprecated: preferred lifetime is over',
    'skipped  eth0       10.99.1.1/24  not inside 10.99.3.0/24',
    'skipped  eth1       10.99.2.1/24  not inside 10.99.3.0/24',
    'chosen   eth1       10.99.3.1/24  inside 10.99.3.0/24',
  ])
  t.same(formatTrace([{ interface: 'a-very-long-name0', decision: 'skipped', reason: 'r' }]), ['skipped  a-very-long-name0  -        r'])
  t.same(formatTrace([]), [])
})

t.test('summariseTrace keeps error messages to one line, and bounded', async (t) => {
  const d = (i: number): Decision => ({ interface: `veth${i}`, decision: 'skipped', reason: 'matches default exclude ^veth.*' })
  t.equal(summariseTrace([d(0), { interface: 'eth0', address: '169.254.1.1/16', decision: 'skipped', reason: 'link-local address' }]),
    'veth0: matches default exclude ^veth.*; eth0 169.254.1.1/16: link-local address')
  const long = summariseTrace(Array.from({ length: 40 }, (_, i) => d(i)))
  t.equal(long.split('; ').length, 13)
  t.match(long, /; … 28 more \(run `falconer node autodetect --explain`\)$/)
  t.notMatch(long, /\n/)
  t.equal(summariseTrace([]), '')
})
