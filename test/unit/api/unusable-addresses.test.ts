import t from 'tap'
import { checkUsableUnicast, parsePeerIP, validateKind } from '../../../src/api/validate/index.js'
import { ValidationError } from '../../../src/api/errors.js'

// Each of these validated once yet made `bird -p` reject the whole rendered config
// (found by the real-BIRD apply tests), so they must be refused at validation.
const peer = (peerIP: string) => ({
  apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'p' }, spec: { peerIP, asNumber: 64512 },
})
const node = (bgp: Record<string, string>) => ({
  apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name: 'n' }, spec: { bgp },
})

t.test('BGPPeer peerIP must be a usable unicast address', async (t) => {
  const bad: [string, RegExp][] = [
    ['0.0.0.0', /the unspecified address/],
    ['::', /the unspecified address/],
    ['fe80::1', /link-local address \(BIRD needs an interface/],
    ['[fe80::1]:1790', /link-local/],
    ['169.254.1.1', /link-local/],
    ['224.0.0.5', /multicast/],
    ['ff02::2', /multicast/],
    ['255.255.255.255', /broadcast/],
  ]
  for (const [ip, reason] of bad) {
    t.throws(() => validateKind('BGPPeer', peer(ip)), { name: 'ValidationError', path: 'spec.peerIP', message: reason }, ip)
  }
  for (const ip of ['10.99.0.1', '10.99.0.1:1790', 'fd99::1', '[fd99::1]:1790', '127.0.0.1', '::1']) {
    t.doesNotThrow(() => parsePeerIP(ip, 'spec.peerIP'), ip)
  }
})

t.test('Node BGP addresses must be usable unicast addresses, loopback excluded', async (t) => {
  for (const [field, value] of [
    ['ipv4Address', '0.0.0.0/0'], ['ipv4Address', '127.0.0.1/8'], ['ipv4Address', '169.254.0.5/16'],
    ['ipv6Address', '::/0'], ['ipv6Address', '::1/128'], ['ipv6Address', 'fe80::5/64'],
  ] as const) {
    const err = t.throws(() => validateKind('Node', node({ [field]: value })), `${field} ${value}`) as ValidationError
    t.equal(err.path, `spec.bgp.${field}`)
  }
  t.doesNotThrow(() => validateKind('Node', node({ ipv4Address: '10.99.0.2/24', ipv6Address: 'fd99::2/64' })))
  t.throws(() => checkUsableUnicast('224.1.2.3', 'x'), { path: 'x', message: /224\.1\.2\.3 is a multicast address/ })
})
