import t from 'tap'
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAgent } from '../../../src/agent.js'
import { API_VERSION } from '../../../src/api/types.js'
import { resourceKey } from '../../../src/datastore/keys.js'
import { silentLogger } from '../../../src/log.js'
import { loadSettings } from '../../../src/settings/settings.js'
import { startEtcd } from '../../helpers/etcd.js'
import { pollUntil } from '../../helpers/netns.js'

/**
 * BGP passwords come from files under the secrets directory, which the agent watches:
 * a password rotated in place, or a secret created after the BGPPeer that names it, reaches
 * bird.cfg with no datastore event at all (the etcd revision does not move). BIRD itself is
 * not run here (`manageBird: false`); bird.cfg is what it would load.
 */
const NODE = 'node-a'

t.test('secret files are watched: rotation and late creation reach bird.cfg without an etcd event', async (t) => {
  const etcd = await startEtcd(t)
  const node = { apiVersion: API_VERSION, kind: 'Node', metadata: { name: NODE }, spec: { bgp: { ipv4Address: '10.99.8.1/24' } } }
  const peer = (name: string, ip: string, secret: string) => ({
    apiVersion: API_VERSION,
    kind: 'BGPPeer',
    metadata: { name },
    spec: { peerIP: ip, asNumber: 65001, password: { secretKeyRef: { name: secret, key: 'password' } } },
  })
  await etcd.etcdctl(['put', resourceKey('Node', NODE), JSON.stringify(node)])
  await etcd.etcdctl(['put', resourceKey('BGPPeer', 'tor'), JSON.stringify(peer('tor', '10.99.8.50', 'tor'))])
  await etcd.etcdctl(['put', resourceKey('BGPPeer', 'late'), JSON.stringify(peer('late', '10.99.8.51', 'late'))])

  const prefix = await mkdtemp(join(tmpdir(), 'falconer-secrets-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const settings = loadSettings({ prefix }, { ETCD_ENDPOINTS: etcd.endpoint, FALCONER_HEALTH_PORT: '0' })
  const secretFile = (name: string) => join(settings.paths.secretsDir, name, 'password')
  /** Written as an operator would rotate it: a new file renamed over the old one. */
  const writeSecret = async (name: string, value: string) => {
    await mkdir(join(settings.paths.secretsDir, name), { recursive: true, mode: 0o700 })
    const tmp = `${secretFile(name)}.new`
    await writeFile(tmp, `${value}\n`, { mode: 0o600 })
    await chmod(tmp, 0o600)
    await rename(tmp, secretFile(name))
  }
  await writeSecret('tor', 'FirstPass1')

  const controller = new AbortController()
  const done = runAgent({ settings, nodeName: NODE, log: silentLogger, backend: 'bird', manageBird: false }, controller.signal)
  t.teardown(async () => {
    controller.abort()
    await done
  })
  const config = () => readFile(settings.paths.birdConfig, 'utf8').catch(() => '')
  await pollUntil('the first config with the first password', async () => (await config()).includes('password "FirstPass1";'), { timeoutMs: 60_000 })
  // A peer whose secret does not exist yet is held down (never up without its password).
  const heldDown = (text: string) => /protocol bgp Global_10_99_8_51 [^}]*\n\s*disabled;/.test(text)
  t.ok(heldDown(await config()), 'a peer whose secret does not exist yet is rendered disabled')
  const revision = await etcd.etcdctl(['get', '/calico/', '--prefix', '--keys-only', '-w', 'json'])
  const rev = (JSON.parse(revision) as { header: { revision: number } }).header.revision

  await writeSecret('tor', 'RotatedPass2')
  await pollUntil('the rotated password in bird.cfg', async () => (await config()).includes('password "RotatedPass2";'), { timeoutMs: 30_000 })
  t.notMatch(await config(), 'FirstPass1', 'the old password is gone')
  t.pass('rotated password applied')

  await writeSecret('late', 'LatePass3')
  await pollUntil('the late peer in bird.cfg', async () => (await config()).includes('password "LatePass3";'), { timeoutMs: 30_000 })
  t.notOk(heldDown(await config()), 'the peer comes up once its secret exists')

  const after = JSON.parse(await etcd.etcdctl(['get', '/calico/', '--prefix', '--keys-only', '-w', 'json'])) as { header: { revision: number } }
  t.equal(after.header.revision, rev, 'no datastore event happened meanwhile')
})
