import t from 'tap'
import { decideAddress, findHolder, needsAutodetect } from '../../../src/node/startup/addresses.js'
import { StartupError } from '../../../src/node/startup/errors.js'
import { resolveNodeRunConfig } from '../../../src/node/startup/run-config.js'
import { parseIpAddrJson, type Iface } from '../../../src/node/interfaces.js'

// What `ip -j addr show` prints for a namespace with lo and one veth carrying both families.
const ifaces: Iface[] = parseIpAddrJson(JSON.stringify([
  { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], operstate: 'UNKNOWN', addr_info: [
    { family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' },
    { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host' },
  ] },
  { ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], operstate: 'UP', addr_info: [
    { family: 'inet', local: '10.99.1.2', prefixlen: 24, scope: 'global' },
    { family: 'inet6', local: 'fd99::2', prefixlen: 64, scope: 'global' },
  ] },
]))

const setting = (flags: Parameters<typeof resolveNodeRunConfig>[0]) => resolveNodeRunConfig(flags, {})

t.test('explicit address on an interface: prefix length from the interface', async (t) => {
  const c = setting({ ip: '10.99.1.2' })
  const d = decideAddress({ family: 4, setting: c.ipv4, autodetection: c.ipv4Autodetection, stored: undefined, ifaces })
  t.same(d, {
    address: '10.99.1.2/24',
    autodetected: false,
    lines: ['Using IPv4 address from --ip=10.99.1.2', 'IPv4 address 10.99.1.2 discovered on interface eth0'],
  })
})

t.test('explicit address from the environment, IPv6 written differently', async (t) => {
  const c = resolveNodeRunConfig({}, { IP6: 'fd99:0::2' })
  const d = decideAddress({ family: 6, setting: c.ipv6, autodetection: c.ipv6Autodetection, stored: undefined, ifaces })
  t.equal(d.address, 'fd99::2/64')
  t.same(d.lines, ['Using IPv6 address from environment: IP6=fd99::2', 'IPv6 address fd99::2 discovered on interface eth0'])
})

t.test('explicit address nowhere on this host: warning, then /32', async (t) => {
  const c = setting({ ip: '10.99.7.7' })
  const d = decideAddress({ family: 4, setting: c.ipv4, autodetection: c.ipv4Autodetection, stored: '10.99.1.2/24', ifaces })
  t.same(d, {
    address: '10.99.7.7/32',
    autodetected: false,
    lines: ['Using IPv4 address from --ip=10.99.7.7', 'WARNING: Could not confirm that the provided IPv4 address is assigned to this host.'],
  })
  const c6 = setting({ ip6: 'fd99::7' })
  t.equal(decideAddress({ family: 6, setting: c6.ipv6, autodetection: c6.ipv6Autodetection, stored: undefined, ifaces }).address, 'fd99::7/128')
})

t.test('an explicit prefix length is kept even when the interface says otherwise', async (t) => {
  const c = setting({ ip: '10.99.1.2/16' })
  t.equal(decideAddress({ family: 4, setting: c.ipv4, autodetection: c.ipv4Autodetection, stored: undefined, ifaces }).address, '10.99.1.2/16')
})

t.test('when autodetection runs', async (t) => {
  t.equal(needsAutodetect(4, { kind: 'unset' }, undefined), true, 'IPv4 with nothing stored')
  t.equal(needsAutodetect(4, { kind: 'unset' }, '10.99.1.2/24'), false, 'IPv4 keeps the stored address')
  t.equal(needsAutodetect(6, { kind: 'unset' }, undefined), false, 'IPv6 only when asked')
  t.equal(needsAutodetect(6, { kind: 'autodetect', from: '--ip6' }, 'fd99::2/64'), true, 'autodetect always detects')
  t.equal(needsAutodetect(4, { kind: 'explicit', ip: '10.99.1.2', from: '--ip' }, undefined), false)
})

t.test('autodetected, kept, or none', async (t) => {
  const c = setting({ ip: 'autodetect' })
  t.same(
    decideAddress({
      family: 4, setting: c.ipv4, autodetection: c.ipv4Autodetection, stored: '10.99.3.3/24', ifaces,
      detected: { ok: true, address: '10.99.1.2/24', interface: 'eth0' },
    }),
    { address: '10.99.1.2/24', autodetected: true, lines: ['Using autodetected IPv4 address on interface eth0: 10.99.1.2/24'] },
  )
  const failedKeep = decideAddress({
    family: 4, setting: c.ipv4, autodetection: c.ipv4Autodetection, stored: '10.99.1.2/24', ifaces,
    detected: { ok: false, reason: 'no interface matches' },
  })
  t.equal(failedKeep.address, '10.99.1.2/24')
  t.same(failedKeep.lines, [
    'WARNING: Autodetection of IPv4 address failed (no interface matches), keeping existing value: 10.99.1.2/24',
    'IPv4 address 10.99.1.2 discovered on interface eth0',
  ])
  const none = setting({})
  t.same(
    decideAddress({ family: 4, setting: none.ipv4, autodetection: none.ipv4Autodetection, stored: '10.99.1.2/24', ifaces }).lines,
    ['Using configured IPv4 address: 10.99.1.2/24', 'IPv4 address 10.99.1.2 discovered on interface eth0'],
  )
  t.same(
    decideAddress({ family: 6, setting: none.ipv6, autodetection: none.ipv6Autodetection, stored: undefined, ifaces }),
    { address: undefined, autodetected: false, lines: ['No IPv6 address configured'] },
  )
})

t.test('nothing detected and nothing stored: a StartupError with the way out', async (t) => {
  const c = setting({})
  try {
    decideAddress({
      family: 4, setting: c.ipv4, autodetection: c.ipv4Autodetection, stored: undefined, ifaces: [],
      detected: { ok: false, reason: 'no interface outside the default excludes has a usable global-unicast IPv4 address' },
    })
    t.fail('expected a StartupError')
  } catch (err) {
    t.type(err, StartupError)
    const e = err as StartupError
    t.equal(e.message, "Couldn't autodetect an IPv4 address (first-found): no interface outside the default excludes has a usable global-unicast IPv4 address")
    t.match(e.hints.join('\n'), /--ip \(IP\)/)
    t.match(e.hints.join('\n'), /--ip-autodetection-method/)
  }
})

t.test('findHolder compares addresses, not strings', async (t) => {
  t.same(findHolder(ifaces, 6, 'FD99:0::0002'), { interface: 'eth0', prefixlen: 64 })
  t.equal(findHolder(ifaces, 4, 'fd99::2'), undefined, 'family must match')
  t.equal(findHolder(ifaces, 4, 'not-an-ip'), undefined)
})
