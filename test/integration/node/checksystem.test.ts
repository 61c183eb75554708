/**
 * `node checksystem` finds what is wrong and says how to fix it: against a datastore that
 * is not there, the etcd and clock checks are problems with a fix, and the exit status is 1.
 * (The all-ok run is in the lab, test/e2e/prometheus.test.ts.)
 */
import { join } from 'node:path'
import t from 'tap'
import { REPO_ROOT, ensureBuilt, runCli } from '../../helpers/cli.js'
import { freePort } from '../../helpers/etcd.js'

t.before(ensureBuilt)

t.test('an unreachable etcd is a problem with a fix; exit 1', async (t) => {
  const port = await freePort()
  const r = await runCli(['node', 'checksystem', '--datastore-timeout', '2'], { env: { ETCD_ENDPOINTS: `http://127.0.0.1:${port}`, DATASTORE_TYPE: 'etcdv3' } })
  t.equal(r.code, 1, r.stdout + r.stderr)
  t.match(r.stdout, new RegExp(`^problem etcd: http://127\\.0\\.0\\.1:${port}: .*\\n {8}fix: check ETCD_ENDPOINTS`, 'm'))
  t.match(r.stdout, /^problem clock: cannot read etcd's time: .*\n {8}fix: make etcd reachable first$/m)
  t.match(r.stdout, /^ok {6}Node\.js: v\d+\.\d+\.\d+$/m)
  t.match(r.stdout, /^ok {6}BGP daemon: bird 1\.6\.8, bird6 1\.6\.8$/m)
  t.match(r.stdout, /^\d+ problem\(s\) found\.$/m)
})

t.test('the BGP daemon check follows FALCONER_BIRD_BIN: BIRD 2, or an executable that is no BIRD', async (t) => {
  const port = await freePort()
  const env = { ETCD_ENDPOINTS: `http://127.0.0.1:${port}`, DATASTORE_TYPE: 'etcdv3' }
  const bird2 = join(REPO_ROOT, '.deps/bird2/usr/sbin/bird')
  const two = await runCli(['node', 'checksystem', '--datastore-timeout', '1'], { env: { ...env, FALCONER_BIRD_BIN: bird2 } })
  t.match(two.stdout, new RegExp(`^ok {6}BGP daemon: ${bird2.replace(/[.]/g, '\\.')} 2\\.0\\.12 \\(BIRD 2`, 'm'))
  const none = await runCli(['node', 'checksystem', '--datastore-timeout', '1'], { env: { ...env, FALCONER_BIRD_BIN: '/bin/true' } })
  t.equal(none.code, 1)
  t.match(none.stdout, /^problem BGP daemon: .*\/bin\/true.*\n {8}fix: apt-get install bird/m)
})

t.test('--backend=gobgp (or CALICO_NETWORKING_BACKEND) checks gobgpd and gobgp instead of BIRD', async (t) => {
  const port = await freePort()
  const env = { ETCD_ENDPOINTS: `http://127.0.0.1:${port}`, DATASTORE_TYPE: 'etcdv3' }
  const flag = await runCli(['node', 'checksystem', '--backend=gobgp', '--datastore-timeout', '1'], { env })
  t.match(flag.stdout, /^ok {6}BGP daemon: gobgpd 3\.10\.0, gobgp 3\.10\.0$/m, flag.stdout)
  t.notMatch(flag.stdout, /BGP daemon: bird/)
  const fromEnv = await runCli(['node', 'checksystem', '--datastore-timeout', '1'], { env: { ...env, CALICO_NETWORKING_BACKEND: 'gobgp' } })
  t.match(fromEnv.stdout, /^ok {6}BGP daemon: gobgpd 3\.10\.0, gobgp 3\.10\.0$/m)
  const missing = await runCli(['node', 'checksystem', '--backend=gobgp', '--datastore-timeout', '1'], { env: { ...env, FALCONER_GOBGPD_BIN: '/bin/true' } })
  t.equal(missing.code, 1)
  t.match(missing.stdout, /^problem BGP daemon: \/bin\/true \(FALCONER_GOBGPD_BIN\) does not answer --version\n {8}fix: apt-get install gobgpd/m)
  const none = await runCli(['node', 'checksystem', '--backend=none', '--datastore-timeout', '1'], { env: { ...env, FALCONER_BIRD_BIN: '/bin/true' } })
  t.match(none.stdout, /^ok {6}BGP daemon: none needed/m)
  const bad = await runCli(['node', 'checksystem', '--backend=frr'], { env })
  t.equal(bad.code, 1)
  t.match(bad.stderr, /--backend: unknown backend 'frr' \(expected bird, gobgp or none\)/)
})
