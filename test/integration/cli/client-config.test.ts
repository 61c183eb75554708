import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../../helpers/etcd.js'
import { cliEnv } from './env.js'

// On a node set up from systemd/README.md there is no calicoctl.cfg, only the unit's
// calico.env: the CLI must find etcd there. With a client config, the file wins over the
// environment (calicoctl's order). When etcd is unreachable, the one error line says where
// the endpoints came from, without grpc's internals.

t.setTimeout(300_000)
const { cli, prefix, etcd } = await cliEnv(t)
const noEnv = { ETCD_ENDPOINTS: '', ETCD_CA_CERT_FILE: '', ETCD_CERT_FILE: '', ETCD_KEY_FILE: '', ETCD_USERNAME: '', ETCD_PASSWORD: '' }
const calicoDir = join(prefix, 'etc/calico')
await mkdir(calicoDir, { recursive: true })
const dead = `http://127.0.0.1:${await freePort()}`

t.test('no client config, no environment: the unit\'s calico.env is used', async (t) => {
  await writeFile(join(calicoDir, 'calico.env'), `NODENAME=node-a\nETCD_ENDPOINTS=${etcd.endpoint}\n`, { mode: 0o600 })
  const r = await cli(['get', 'nodes'], { env: noEnv })
  t.equal(r.stderr, '')
  t.equal(r.code, 0)
  t.match(r.stdout, /^NAME\s*\n/)
})

t.test('the client config file beats the environment', async (t) => {
  const file = join(calicoDir, 'calicoctl.cfg')
  await writeFile(file, `apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  etcdEndpoints: ${dead}\n`)
  t.teardown(() => writeFile(file, `apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  etcdEndpoints: ${etcd.endpoint}\n`))
  const r = await cli(['get', 'nodes', '--datastore-timeout', '2'], { env: { ...noEnv, ETCD_ENDPOINTS: etcd.endpoint } })
  t.equal(r.code, 1)
  t.equal(r.stdout, '')
  t.equal(
    r.stderr,
    `Failed to get resources: cannot reach the etcd datastore at ${dead} within 2s (connect ECONNREFUSED ${dead.slice('http://'.length)}); endpoints from client config ${file}\n`,
  )
  t.notMatch(r.stderr, /Resolution note|UNAVAILABLE/)
})

t.test('nothing configured: the error lists every place it looked', async (t) => {
  const bare = join(prefix, 'bare')
  await mkdir(bare)
  const r = await cli(['get', 'nodes', '--prefix', bare, '--datastore-timeout', '2'], { env: noEnv })
  t.equal(r.code, 1)
  t.match(r.stderr, /^Failed to [a-z ]+: cannot reach the etcd datastore at http:\/\/127\.0\.0\.1:2379 within 2s \(.*\); endpoints from defaults \(no client config at .*bare\/etc\/calico\/calicoctl\.cfg, no ETCD_\* in the environment, no .*bare\/etc\/calico\/calico\.env\)\n$/)
})
