import t, { type Test } from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadSettings } from '../../../src/settings/index.js'
import { parseEnvFile } from '../../../src/settings/client-source.js'

// A client command finds the datastore as calicoctl does (the client config file alone when
// it exists, else the environment), then falls back to the systemd unit's calico.env, and
// says which one it used.

function node(t: Test, files: { cfg?: string; env?: string } = {}): string {
  const prefix = t.testdir({})
  mkdirSync(join(prefix, 'etc/calico'), { recursive: true })
  if (files.cfg !== undefined) writeFileSync(join(prefix, 'etc/calico/calicoctl.cfg'), files.cfg)
  if (files.env !== undefined) writeFileSync(join(prefix, 'etc/calico/calico.env'), files.env, { mode: 0o600 })
  return prefix
}

const cfg = (endpoints: string) =>
  `apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastoreType: etcdv3\n  etcdEndpoints: ${endpoints}\n`

t.test('the client config file wins over the environment and is used alone', async (t) => {
  const prefix = node(t, { cfg: cfg('http://127.0.0.1:7001'), env: 'ETCD_ENDPOINTS=http://127.0.0.1:7003\n' })
  const s = loadSettings({ prefix }, { ETCD_ENDPOINTS: 'http://127.0.0.1:7002', ETCD_USERNAME: 'u' }, 'client')
  t.same(s.datastore.endpoints, ['http://127.0.0.1:7001'])
  t.equal(s.datastore.username, undefined, 'nothing is taken from the environment')
  t.equal(s.datastore.source, `client config ${join(prefix, 'etc/calico/calicoctl.cfg')}`)
})

t.test('-c names a file that must exist; it is used alone', async (t) => {
  const prefix = node(t)
  const file = join(prefix, 'my.cfg')
  writeFileSync(file, cfg('http://127.0.0.1:7004'))
  const s = loadSettings({ prefix, config: file }, { ETCD_ENDPOINTS: 'http://127.0.0.1:7002' }, 'client')
  t.same(s.datastore.endpoints, ['http://127.0.0.1:7004'])
  t.equal(s.datastore.source, `client config ${file}`)
  t.throws(() => loadSettings({ prefix, config: join(prefix, 'none.cfg') }, {}, 'client'), /cannot read client config .*none\.cfg/)
})

t.test('no client config: the environment, then calico.env, then the defaults', async (t) => {
  const prefix = node(t, { env: '# the unit\nNODENAME=n1\nETCD_ENDPOINTS="http://127.0.0.1:7003"\nETCD_USERNAME=\'calico\'\n' })
  const fromEnv = loadSettings({ prefix }, { ETCD_ENDPOINTS: 'http://127.0.0.1:7002' }, 'client')
  t.same(fromEnv.datastore.endpoints, ['http://127.0.0.1:7002'])
  t.match(fromEnv.datastore.source, /^environment \(ETCD_ENDPOINTS; no client config at /)

  const fromUnit = loadSettings({ prefix }, { ETCD_ENDPOINTS: '' }, 'client')
  t.same(fromUnit.datastore.endpoints, ['http://127.0.0.1:7003'])
  t.equal(fromUnit.datastore.username, 'calico')
  t.match(fromUnit.datastore.source, `${join(prefix, 'etc/calico/calico.env')} (no client config`)

  const bare = node(t)
  const defaults = loadSettings({ prefix: bare }, {}, 'client')
  t.same(defaults.datastore.endpoints, ['http://127.0.0.1:2379'])
  t.match(defaults.datastore.source, /^defaults \(no client config at .*, no ETCD_\* in the environment, no .*calico\.env\)$/)
})

t.test('the agent keeps its own order: environment over the default client config', async (t) => {
  const prefix = node(t, { cfg: cfg('http://127.0.0.1:7001') })
  const s = loadSettings({ prefix }, { ETCD_ENDPOINTS: 'http://127.0.0.1:7002' })
  t.same(s.datastore.endpoints, ['http://127.0.0.1:7002'])
  t.equal(s.datastore.source, `environment, then client config ${join(prefix, 'etc/calico/calicoctl.cfg')}`)
})

t.test('calico.env syntax', async (t) => {
  t.same(parseEnvFile('A=1\n  B = "two words"\n; c\n# d\nexport C=\'x\'\nD=\n', 'f'), { A: '1', B: 'two words', C: 'x', D: '' })
  t.throws(() => parseEnvFile('A=1\nnot a line\n', '/etc/calico/calico.env'), /calico\.env:2: expected NAME=value/)
})
