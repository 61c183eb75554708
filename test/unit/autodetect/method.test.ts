import t from 'tap'
import {
  AutodetectMethodError,
  DEFAULT_AUTODETECT_METHOD,
  formatAutodetectMethod,
  parseAutodetectMethod,
} from '../../../src/node/autodetect/index.js'

t.test('first-found', async (t) => {
  t.same(parseAutodetectMethod('first-found'), { kind: 'first-found' })
  t.same(parseAutodetectMethod('  first-found \n'), { kind: 'first-found' }, 'surrounding blanks (from env files) are ignored')
  t.same(DEFAULT_AUTODETECT_METHOD, { kind: 'first-found' })
})

t.test('can-reach to an IP of either family, or a name', async (t) => {
  t.same(parseAutodetectMethod('can-reach=10.99.200.7'), { kind: 'can-reach', destination: { kind: 'ip', address: '10.99.200.7', family: 4 } })
  t.same(parseAutodetectMethod('can-reach=fd99:2:ff::7'), { kind: 'can-reach', destination: { kind: 'ip', address: 'fd99:2:ff::7', family: 6 } })
  t.same(parseAutodetectMethod('can-reach=gw4.test'), { kind: 'can-reach', destination: { kind: 'name', name: 'gw4.test' } })
  t.same(parseAutodetectMethod('can-reach=router'), { kind: 'can-reach', destination: { kind: 'name', name: 'router' } })
})

t.test('interface and skip-interface compile each regex, unanchored', async (t) => {
  const m = parseAutodetectMethod('interface=eth.*, ens[0-9]+')
  t.equal(m.kind, 'interface')
  if (m.kind !== 'interface') return
  t.same(m.patterns.map((p) => p.source), ['eth.*', 'ens[0-9]+'])
  t.ok(m.patterns[0]?.regex.test('veth0'), 'unanchored, as in Calico')
  t.notOk(m.patterns[1]?.regex.test('ens'))
  const s = parseAutodetectMethod('skip-interface=^eth0$')
  t.equal(s.kind, 'skip-interface')
  if (s.kind === 'skip-interface') t.ok(s.patterns[0]?.regex.test('eth0'))
})

t.test('cidr lists mix families', async (t) => {
  const m = parseAutodetectMethod('cidr=10.99.3.0/24,fd99:3::/64')
  t.equal(m.kind, 'cidr')
  if (m.kind !== 'cidr') return
  t.same(m.cidrs.map((c) => [c.text, c.family, c.prefixlen]), [['10.99.3.0/24', 4, 24], ['fd99:3::/64', 6, 64]])
})

t.test('format gives back the canonical text', async (t) => {
  for (const text of [
    'first-found',
    'can-reach=10.99.200.7',
    'can-reach=gw6.test',
    'interface=eth.*,ens[0-9]+',
    'skip-interface=eth0',
    'cidr=10.99.3.0/24,fd99:3::/64',
  ]) {
    t.equal(formatAutodetectMethod(parseAutodetectMethod(text)), text)
  }
  t.equal(formatAutodetectMethod(parseAutodetectMethod('interface= eth0 , eth1 ')), 'interface=eth0,eth1')
})

t.test('mistakes are AutodetectMethodErrors that name the culprit', async (t) => {
  const cases: [string, RegExp, string?][] = [
    ['', /empty; expected first-found, can-reach=/],
    ['first', /unknown method "first"/],
    ['kubernetes-internal-ip', /unknown method "kubernetes-internal-ip"/],
    ['can_reach=10.99.0.1', /unknown method "can_reach"/],
    ['first-found=eth0', /first-found takes no value/],
    ['can-reach', /can-reach= needs a value/],
    ['can-reach=', /can-reach= needs a value/],
    ['interface=', /interface= needs a value/],
    ['can-reach=10.99.0.300', /"10.99.0.300" is neither an IP address nor a host name/, '10.99.0.300'],
    ['can-reach=bad_name', /"bad_name" is neither/, 'bad_name'],
    ['can-reach=fe80::1%eth0', /neither an IP address nor a host name/, 'fe80::1%eth0'],
    ['interface=eth0,(', /regex "\(" is invalid: .*Unterminated group/, '('],
    ['skip-interface=eth[', /regex "eth\[" is invalid/, 'eth['],
    ['interface=eth0,', /item 2 of the list is empty/],
    ['skip-interface=,eth0', /item 1 of the list is empty/],
    ['cidr=10.99.0.0/33', /"10.99.0.0\/33" is not a CIDR/, '10.99.0.0/33'],
    ['cidr=10.99.3.0/24,10.99.4.0', /"10.99.4.0" is not a CIDR/, '10.99.4.0'],
    ['cidr=eth0', /"eth0" is not a CIDR/, 'eth0'],
  ]
  for (const [text, message, item] of cases) {
    let caught: unknown
    try {
      parseAutodetectMethod(text)
    } catch (err) {
      caught = err
    }
    t.type(caught, AutodetectMethodError, `"${text}" is refused`)
    if (!(caught instanceof AutodetectMethodError)) continue
    t.match(caught.message, message)
    t.ok(caught.message.startsWith(`IP autodetection method "${text.trim()}": `), 'the message quotes the method')
    t.equal(caught.method, text.trim())
    t.equal(caught.item, item)
  }
})
