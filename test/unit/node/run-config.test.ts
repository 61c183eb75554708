import t from 'tap'
import { NodeRunConfigError } from '../../../src/node/startup/errors.js'
import { DOCKER_ONLY_FLAGS, resolveNodeRunConfig, type NodeRunConfig } from '../../../src/node/startup/run-config.js'

const message = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    if (err instanceof NodeRunConfigError) return err.message
    throw err
  }
  throw new Error('expected a NodeRunConfigError')
}

t.test('defaults: detach, bird, unset addresses, first-found, default pools', async (t) => {
  const c = resolveNodeRunConfig({}, {})
  t.same(c, {
    mode: { kind: 'detach' },
    ipv4: { kind: 'unset' },
    ipv6: { kind: 'unset' },
    ipv4Autodetection: { method: { kind: 'first-found' }, text: 'first-found' },
    ipv6Autodetection: { method: { kind: 'first-found' }, text: 'first-found' },
    backend: 'bird',
    defaultPools: { create: true },
    datastoreWaitMs: 30_000,
  } satisfies NodeRunConfig)
})

t.test('FALCONER_DATASTORE_WAIT bounds the wait for etcd', async (t) => {
  t.equal(resolveNodeRunConfig({}, { FALCONER_DATASTORE_WAIT: '90' }).datastoreWaitMs, 90_000)
  t.equal(resolveNodeRunConfig({}, { FALCONER_DATASTORE_WAIT: '2.5' }).datastoreWaitMs, 2_500)
  t.equal(resolveNodeRunConfig({}, { FALCONER_DATASTORE_WAIT: '500ms' }).datastoreWaitMs, 500)
  t.equal(resolveNodeRunConfig({}, { FALCONER_DATASTORE_WAIT: '0' }).datastoreWaitMs, 0, 'one attempt only')
  t.match(message(() => resolveNodeRunConfig({}, { FALCONER_DATASTORE_WAIT: 'forever' })), /^FALCONER_DATASTORE_WAIT: "forever" is not a duration/)
})

t.test('environment alone configures the node (what systemd passes)', async (t) => {
  const c = resolveNodeRunConfig({}, {
    NODENAME: 'n1',
    IP: '10.99.1.2',
    IP6: 'autodetect',
    IP_AUTODETECTION_METHOD: 'interface=eth.*',
    IP6_AUTODETECTION_METHOD: 'cidr=fd99::/16',
    AS: '64513',
    CALICO_NETWORKING_BACKEND: 'none',
    CALICO_IPV4POOL_CIDR: '10.98.0.0/16',
    CALICO_IPV6POOL_CIDR: 'fd98::/48',
    CALICO_ROUTER_ID: 'hash',
  })
  t.same(c.nodeName, { value: 'n1', from: 'NODENAME' })
  t.same(c.ipv4, { kind: 'explicit', ip: '10.99.1.2', from: 'IP' })
  t.same(c.ipv6, { kind: 'autodetect', from: 'IP6' })
  t.equal(c.ipv4Autodetection.text, 'interface=eth.*')
  t.equal(c.ipv4Autodetection.method.kind, 'interface')
  t.equal(c.ipv6Autodetection.method.kind, 'cidr')
  t.same(c.asNumber, { value: 64513, from: 'AS' })
  t.equal(c.backend, 'none')
  t.same(c.defaultPools, { create: true, ipv4Cidr: '10.98.0.0/16', ipv6Cidr: 'fd98::/48' })
  t.equal(c.routerId, 'hash')
})

t.test('flags beat the environment, one by one', async (t) => {
  const env = {
    NODENAME: 'env-name', IP: '10.99.9.9', IP6: 'fd99::9', AS: '65000',
    IP_AUTODETECTION_METHOD: 'interface=env.*', IP6_AUTODETECTION_METHOD: 'interface=env6.*',
    CALICO_NETWORKING_BACKEND: 'none',
  }
  const c = resolveNodeRunConfig({
    name: 'flag-name', ip: 'autodetect', ip6: 'fd99::2/64', as: '1.10',
    ipAutodetectionMethod: 'can-reach=10.99.0.1', ip6AutodetectionMethod: 'first-found', backend: 'bird',
  }, env)
  t.same(c.nodeName, { value: 'flag-name', from: '--node' })
  t.same(c.ipv4, { kind: 'autodetect', from: '--ip' })
  t.same(c.ipv6, { kind: 'explicit', ip: 'fd99::2', prefixlen: 64, from: '--ip6' })
  t.same(c.asNumber, { value: 65546, from: '--as' }, 'asdot 1.10 = 65546')
  t.equal(c.ipv4Autodetection.text, 'can-reach=10.99.0.1')
  t.equal(c.ipv6Autodetection.text, 'first-found')
  t.equal(c.backend, 'bird')
})

t.test('empty environment values count as unset', async (t) => {
  const c = resolveNodeRunConfig({}, { NODENAME: '', IP: '  ', AS: '', CALICO_NETWORKING_BACKEND: '' })
  t.equal(c.nodeName, undefined)
  t.same(c.ipv4, { kind: 'unset' })
  t.equal(c.asNumber, undefined)
  t.equal(c.backend, 'bird')
})

t.test('addresses are parsed and re-serialised', async (t) => {
  t.same(resolveNodeRunConfig({ ip6: 'FD99:0:0::2' }, {}).ipv6, { kind: 'explicit', ip: 'fd99::2', from: '--ip6' })
  t.same(resolveNodeRunConfig({ ip: '10.99.1.2/24' }, {}).ipv4, { kind: 'explicit', ip: '10.99.1.2', prefixlen: 24, from: '--ip' })
  t.same(resolveNodeRunConfig({ ip: 'AUTODETECT' }, {}).ipv4, { kind: 'autodetect', from: '--ip' })
  t.match(message(() => resolveNodeRunConfig({ ip: 'fd99::2' }, {})), /--ip is wrong IP version/)
  t.match(message(() => resolveNodeRunConfig({}, { IP6: '10.99.1.2' })), /IP6 is wrong IP version/)
  t.match(message(() => resolveNodeRunConfig({ ip: '10.99.1.300' }, {})), /--ip: .*out of range/)
  t.match(message(() => resolveNodeRunConfig({ ip: '10.99.1.2/33' }, {})), /prefix length/)
})

t.test('modes', async (t) => {
  t.same(resolveNodeRunConfig({ initSystem: true }, {}).mode, { kind: 'foreground' })
  t.same(resolveNodeRunConfig({ detach: 'false' }, {}).mode, { kind: 'foreground' })
  t.same(resolveNodeRunConfig({ detach: 'true' }, {}).mode, { kind: 'detach' })
  t.same(resolveNodeRunConfig({ runtime: 'none' }, {}).mode, { kind: 'register-only' })
  t.same(resolveNodeRunConfig({ runtime: 'none', initSystem: true }, {}).mode, { kind: 'register-only' })
  t.same(resolveNodeRunConfig({ dryrun: true }, {}).mode, { kind: 'dryrun', initSystem: false, registerOnly: false })
  t.same(resolveNodeRunConfig({ dryrun: true, initSystem: true }, {}).mode, { kind: 'dryrun', initSystem: true, registerOnly: false })
  t.same(resolveNodeRunConfig({ dryrun: true, runtime: 'none' }, {}).mode, { kind: 'dryrun', initSystem: false, registerOnly: true })
  t.equal(message(() => resolveNodeRunConfig({ detach: 'yes' }, {})), "Valid values for --detach are 'true' and 'false', not 'yes'")
  t.match(message(() => resolveNodeRunConfig({ runtime: 'docker' }, {})), /^falconer runs without Docker: --runtime=docker is not supported/)
  t.match(message(() => resolveNodeRunConfig({ runtime: 'podman' }, {})), /--runtime: expected "none"/)
})

t.test('Docker-only flags are refused by name', async (t) => {
  for (const flag of DOCKER_ONLY_FLAGS) {
    t.equal(message(() => resolveNodeRunConfig({ unsupported: [flag] }, {})), `falconer runs without Docker: ${flag} is not supported`)
  }
  t.equal(message(() => resolveNodeRunConfig({ unsupported: ['--felix-config'] }, {})), 'falconer runs no Felix: --felix-config is not supported')
})

t.test('backends', async (t) => {
  t.equal(resolveNodeRunConfig({ backend: 'gobgp' }, {}).backend, 'gobgp')
  t.equal(resolveNodeRunConfig({}, { CALICO_NETWORKING_BACKEND: 'GoBGP' }).backend, 'gobgp')
  t.equal(resolveNodeRunConfig({}, {}).backend, 'bird')
  t.equal(message(() => resolveNodeRunConfig({ backend: 'vxlan' }, {})), "--backend: unknown backend 'vxlan' (expected bird, gobgp or none)")
})

t.test('default pools: flag, NO_DEFAULT_POOLS, CIDRs', async (t) => {
  t.same(resolveNodeRunConfig({ noDefaultIppools: true }, {}).defaultPools, { create: false })
  t.same(resolveNodeRunConfig({}, { NO_DEFAULT_POOLS: 'TRUE' }).defaultPools, { create: false })
  t.same(resolveNodeRunConfig({}, { NO_DEFAULT_POOLS: 'false' }).defaultPools, { create: true })
  // Host bits are cleared, as calico/node's net.ParseCIDR does.
  t.same(resolveNodeRunConfig({}, { CALICO_IPV4POOL_CIDR: '10.98.1.7/16' }).defaultPools, { create: true, ipv4Cidr: '10.98.0.0/16' })
  t.match(message(() => resolveNodeRunConfig({}, { CALICO_IPV4POOL_CIDR: 'fd98::/48' })), /^Invalid CIDR specified in CALICO_IPV4POOL_CIDR 'fd98::\/48'/)
  t.match(
    message(() => resolveNodeRunConfig({ noDefaultIppools: true }, { CALICO_IPV4POOL_CIDR: '10.98.0.0/16' })),
    /NO_DEFAULT_POOLS .* together with CALICO_IPV4POOL_CIDR/,
  )
})

t.test('AS numbers, autodetection methods and router IDs are validated', async (t) => {
  t.match(message(() => resolveNodeRunConfig({ as: '0' }, {})), /^--as: "0" is not a valid AS number/)
  t.match(message(() => resolveNodeRunConfig({}, { AS: 'abc' })), /^AS: "abc" is not a valid AS number/)
  t.match(message(() => resolveNodeRunConfig({ ipAutodetectionMethod: 'nearest' }, {})), /^--ip-autodetection-method: .*unknown method "nearest"/)
  t.match(message(() => resolveNodeRunConfig({}, { IP6_AUTODETECTION_METHOD: 'interface=(' })), /^IP6_AUTODETECTION_METHOD: .*regex/)
  t.equal(resolveNodeRunConfig({}, { CALICO_ROUTER_ID: '10.99.0.1' }).routerId, '10.99.0.1')
  t.match(message(() => resolveNodeRunConfig({}, { CALICO_ROUTER_ID: 'fd99::1' })), /CALICO_ROUTER_ID: expected "hash" or an IPv4 address/)
  t.match(message(() => resolveNodeRunConfig({ name: '  ' }, {})), /--node: the node name must not be empty/)
})
