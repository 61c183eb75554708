import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DEFAULT_DATASTORE_TIMEOUT_MS, derivePaths, loadSettings, parseClientConfig, parseDurationMs, parseLogLevel, SettingsError,
} from '../../../src/settings/index.js'

const dir = mkdtempSync(join(tmpdir(), 'falconer-settings-'))
const prefix = join(dir, 'root')
const cfg = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const yamlCfg = cfg('yaml.cfg', `apiVersion: projectcalico.org/v3
kind: CalicoAPIConfig
metadata:
spec:
  datastoreType: etcdv3
  etcdEndpoints: http://127.0.0.1:3001,http://127.0.0.1:3002
  etcdUsername: fromfile
`)
const jsonCfg = cfg('json.cfg', JSON.stringify({
  apiVersion: 'projectcalico.org/v3', kind: 'CalicoAPIConfig',
  spec: { datastoreType: 'etcdv3', etcdEndpoints: 'http://127.0.0.1:4001' },
}))

t.test('defaults: Calico paths, local etcd, 10 s bound', async (t) => {
  const s = loadSettings({}, {})
  t.same(s.datastore.endpoints, ['http://127.0.0.1:2379'])
  t.equal(s.datastore.timeoutMs, DEFAULT_DATASTORE_TIMEOUT_MS)
  t.equal(s.paths.clientConfig, '/etc/calico/calicoctl.cfg')
  t.equal(s.paths.birdSocket, '/var/run/calico/bird.ctl')
  t.equal(s.paths.bird6Socket, '/var/run/calico/bird6.ctl')
  t.equal(s.paths.birdConfig, '/etc/calico/confd/config/bird.cfg')
  t.equal(s.paths.bird6Config, '/etc/calico/confd/config/bird6.cfg')
  t.equal(s.paths.nodenameFile, '/var/lib/calico/nodename')
  t.equal(s.paths.logDir, '/var/log/calico')
  t.equal(s.logLevel, 'info')
})

t.test('one prefix relocates every path', async (t) => {
  const p = derivePaths(prefix)
  for (const [key, value] of Object.entries(p)) {
    if (key === 'prefix') continue
    t.ok(value.startsWith(prefix + '/'), `${key} is under the prefix (${value})`)
  }
  const viaEnv = loadSettings({}, { FALCONER_PREFIX: prefix })
  t.equal(viaEnv.paths.birdSocket, join(prefix, 'var/run/calico/bird.ctl'))
  const viaFlag = loadSettings({ prefix }, { FALCONER_PREFIX: '/elsewhere' })
  t.equal(viaFlag.paths.nodenameFile, join(prefix, 'var/lib/calico/nodename'), 'flag beats env')
})

t.test('individual path overrides beat the prefix', async (t) => {
  const s = loadSettings({ prefix, paths: { runDir: join(dir, 'run') } }, { FALCONER_LOG_DIR: join(dir, 'logs') })
  t.equal(s.paths.birdSocket, join(dir, 'run', 'bird.ctl'))
  t.equal(s.paths.logDir, join(dir, 'logs'))
  t.equal(s.paths.birdConfig, join(prefix, 'etc/calico/confd/config/bird.cfg'))
})

t.test('precedence: env beats the default client config file', async (t) => {
  const root = join(dir, 'p1')
  const p = derivePaths(root)
  const { mkdirSync } = await import('node:fs')
  mkdirSync(join(root, 'etc/calico'), { recursive: true })
  writeFileSync(p.clientConfig, `kind: CalicoAPIConfig\nspec:\n  etcdEndpoints: http://127.0.0.1:5001\n  etcdUsername: fileuser\n`)
  const fileOnly = loadSettings({ prefix: root }, {})
  t.same(fileOnly.datastore.endpoints, ['http://127.0.0.1:5001'], 'default file is read')
  const withEnv = loadSettings({ prefix: root }, { ETCD_ENDPOINTS: 'http://127.0.0.1:6001' })
  t.same(withEnv.datastore.endpoints, ['http://127.0.0.1:6001'], 'env beats the default file')
  t.equal(withEnv.datastore.username, 'fileuser', 'fields not in env still come from the file')
})

t.test('precedence: an explicit -c file beats env', async (t) => {
  const s = loadSettings({ config: yamlCfg }, { ETCD_ENDPOINTS: 'http://127.0.0.1:6001', ETCD_PASSWORD: 'pw' })
  t.same(s.datastore.endpoints, ['http://127.0.0.1:3001', 'http://127.0.0.1:3002'])
  t.equal(s.datastore.username, 'fromfile')
  t.equal(s.datastore.password, 'pw', 'env fills what the file leaves out')
  t.equal(s.paths.clientConfig, yamlCfg)
  const j = loadSettings({ config: jsonCfg }, {})
  t.same(j.datastore.endpoints, ['http://127.0.0.1:4001'], 'JSON form works too')
})

t.test('a missing explicit file is an error; a missing default file is not', async (t) => {
  t.throws(() => loadSettings({ config: join(dir, 'nope.cfg') }, {}), { name: 'SettingsError', message: /cannot read client config .*nope\.cfg/ })
  t.doesNotThrow(() => loadSettings({ prefix: join(dir, 'empty') }, {}))
})

t.test('datastore types other than etcdv3 are refused clearly', async (t) => {
  t.throws(() => loadSettings({}, { DATASTORE_TYPE: 'kubernetes' }), { message: /"kubernetes" is not supported: falconer only supports etcdv3/ })
  const k8s = cfg('k8s.cfg', 'kind: CalicoAPIConfig\nspec:\n  datastoreType: kubernetes\n')
  t.throws(() => loadSettings({ config: k8s }, {}), SettingsError)
})

t.test('bad endpoints, timeouts, TLS combinations and log levels', async (t) => {
  t.throws(() => loadSettings({}, { ETCD_ENDPOINTS: 'not a url' }), { message: /is not a URL/ })
  t.throws(() => loadSettings({}, { ETCD_ENDPOINTS: 'ftp://127.0.0.1:1' }), { message: /scheme must be http or https/ })
  t.throws(() => loadSettings({}, { ETCD_ENDPOINTS: 'http://127.0.0.1' }), { message: /a port is required/ })
  t.throws(() => loadSettings({}, { ETCD_ENDPOINTS: ' , ' }), { message: /none given/ })
  t.throws(() => loadSettings({ datastoreTimeout: 'soon' }, {}), { message: /datastore timeout "soon"/ })
  t.throws(() => loadSettings({ datastoreTimeout: '0' }, {}), { message: /between/ })
  t.equal(loadSettings({ datastoreTimeout: '2.5' }, {}).datastore.timeoutMs, 2500)
  t.equal(loadSettings({ datastoreTimeout: '500ms' }, {}).datastore.timeoutMs, 500)
  t.equal(loadSettings({}, { FALCONER_DATASTORE_TIMEOUT: '3' }).datastore.timeoutMs, 3000)
  t.throws(() => loadSettings({}, { ETCD_ENDPOINTS: 'https://127.0.0.1:2379', ETCD_CERT_FILE: '/x' }), { message: /both a certificate file and a key file/ })
  t.throws(() => loadSettings({}, { ETCD_CA_CERT_FILE: '/ca' }), { message: /uses http:\/\// })
  const tls = loadSettings({}, {
    ETCD_ENDPOINTS: 'https://127.0.0.1:2379', ETCD_CA_CERT_FILE: '/ca', ETCD_CERT_FILE: '/c', ETCD_KEY_FILE: '/k',
  })
  t.same([tls.datastore.caCertFile, tls.datastore.certFile, tls.datastore.keyFile], ['/ca', '/c', '/k'])
  t.equal(parseLogLevel('Warning'), 'warn')
  t.equal(parseLogLevel('none'), 'silent')
  t.throws(() => parseLogLevel('loud'), { message: /log level "loud"/ })
})

t.test('client config parse errors name the file', async (t) => {
  t.throws(() => parseClientConfig('spec: [unclosed', 'x.cfg'), { message: /^client config x\.cfg:/ })
  t.throws(() => parseClientConfig('kind: Other\n', 'x.cfg'), { message: /kind must be CalicoAPIConfig/ })
  t.throws(() => parseClientConfig('spec:\n  etcdEndpoints: 5\n', 'x.cfg'), { message: /spec\.etcdEndpoints must be a string/ })
  t.same(parseClientConfig('', 'x.cfg'), {})
})

t.test('health endpoint: loopback:9099 unless told otherwise; 0 turns it off', async (t) => {
  t.same(loadSettings({}, {}).health, { host: '127.0.0.1', port: 9099 })
  t.same(loadSettings({}, { FALCONER_HEALTH_HOST: '0.0.0.0', FALCONER_HEALTH_PORT: '9199' }).health, { host: '0.0.0.0', port: 9199 })
  t.equal(loadSettings({}, { FALCONER_HEALTH_PORT: '0' }).health.port, 0)
  t.throws(() => loadSettings({}, { FALCONER_HEALTH_PORT: 'x' }), { message: /FALCONER_HEALTH_PORT "x"/ })
  t.throws(() => loadSettings({}, { FALCONER_HEALTH_PORT: '70000' }), { message: /expected a port number/ })
})

t.test('parseDurationMs: the one duration parser (datastore timeout, datastore wait)', async (t) => {
  const any = { minMs: 0, maxMs: 3_600_000 }
  t.equal(parseDurationMs('10', any), 10_000)
  t.equal(parseDurationMs(2.5, any), 2_500)
  t.equal(parseDurationMs(' 500ms ', any), 500)
  t.equal(parseDurationMs('90s', any), 90_000)
  t.equal(parseDurationMs('0', any), 0)
  t.equal(parseDurationMs('0', { minMs: 1, maxMs: 10 }), undefined, 'below the minimum')
  t.equal(parseDurationMs('2h', any), undefined, 'unknown unit')
  t.equal(parseDurationMs('3601', any), undefined, 'above the maximum')
  t.equal(parseDurationMs('-1', any), undefined)
})
