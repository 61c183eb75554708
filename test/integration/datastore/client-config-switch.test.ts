import t, { type Test } from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAgent } from '../../../src/agent.js'
import { DatastoreLink } from '../../../src/datastore-link.js'
import type { SyncStatus } from '../../../src/datastore/syncer.js'
import { resourceKey } from '../../../src/datastore/keys.js'
import { loadSettings, type Settings } from '../../../src/settings/settings.js'
import { freePort, startEtcd, type EtcdHandle } from '../../helpers/etcd.js'
import { pollUntil } from '../../helpers/netns.js'
import { bgpPeer, node } from './fixtures.js'
import { captureLog } from './sync-helpers.js'

/**
 * Switching the client config (calicoctl.cfg) to an etcd that is not up yet, through the
 * whole agent pipeline (syncer → render → bird.cfg, /readiness). BIRD itself is not run
 * (`manageBird: false`, nothing listens on its socket): the rendered file on disk is what
 * BIRD would run. Each etcd holds a different peer, so bird.cfg tells which one it came from.
 */
const NODE = 'node-a'

function clientConfig(endpoint: string): string {
  return `apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastoreType: etcdv3\n  etcdEndpoints: ${endpoint}\n`
}

async function seed(etcd: EtcdHandle, peerIP: string): Promise<void> {
  await etcd.etcdctl(['put', resourceKey('Node', NODE), JSON.stringify(node(NODE, '10.99.7.1'))])
  await etcd.etcdctl(['put', resourceKey('BGPPeer', 'tor'), JSON.stringify(bgpPeer('tor', peerIP))])
}

async function readiness(port: number): Promise<{ datastore: { ok: boolean; detail: string } }> {
  const res = await fetch(`http://127.0.0.1:${port}/readiness`)
  return ((await res.json()) as { checks: { datastore: { ok: boolean; detail: string } } }).checks
}

interface Running {
  readonly settings: Settings
  readonly cfg: string
  readonly port: number
  readonly records: { msg?: string }[]
}

async function startAgent(t: Test, etcd: EtcdHandle): Promise<Running> {
  const prefix = await mkdtemp(join(tmpdir(), 'falconer-switch-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const cfg = join(prefix, 'calicoctl.cfg')
  await writeFile(cfg, clientConfig(etcd.endpoint))
  const port = await freePort()
  const env = { FALCONER_HEALTH_PORT: String(port), FALCONER_DATASTORE_TIMEOUT: '2s' }
  const load = () => loadSettings({ prefix, config: cfg }, env)
  const settings = load()
  const { log, records } = captureLog()
  const controller = new AbortController()
  const done = runAgent({ settings, nodeName: NODE, log, backend: 'bird', manageBird: false, reloadSettings: load }, controller.signal)
  t.teardown(async () => {
    controller.abort()
    await done
  })
  await pollUntil('the first config', async () => (await readFile(settings.paths.birdConfig, 'utf8').catch(() => '')).includes('Global_10_99_7_50'), { timeoutMs: 60_000 })
  await pollUntil('readiness: datastore in sync', async () => (await readiness(port)).datastore.ok)
  return { settings, cfg, port, records }
}

t.test('a switch to an etcd that starts later: not ready meanwhile, BIRD config kept, converges by itself', async (t) => {
  const [a, b] = [await startEtcd(t), await startEtcd(t)]
  await seed(a, '10.99.7.50')
  await seed(b, '10.99.7.60')
  await b.stop()
  const agent = await startAgent(t, a)
  const before = await readFile(agent.settings.paths.birdConfig, 'utf8')

  await writeFile(agent.cfg, clientConfig(b.endpoint))
  const failed = () => agent.records.filter((r) => r.msg?.startsWith('cannot connect with the new client config')).length
  await pollUntil('two failed connection attempts', () => failed() >= 2, { timeoutMs: 60_000 })
  t.match(await readiness(agent.port), { datastore: { ok: false, detail: 'datastore not in sync' } }, '/readiness: not synced while disconnected')
  t.equal(await readFile(agent.settings.paths.birdConfig, 'utf8'), before, 'bird.cfg keeps the last good config')

  await b.start() // no further change to the client config file
  // Bound: the longest retry delay (DEFAULT_CONNECT_RETRY.maxMs, 30 s, jittered) may already
  // be running when etcd comes up, plus one attempt and the first sync; a CI run that waited
  // 60 s under load was short of that after a slow etcd start.
  await pollUntil('bird.cfg rendered from the new etcd', async () => (await readFile(agent.settings.paths.birdConfig, 'utf8')).includes('Global_10_99_7_60'), { timeoutMs: 120_000 })
  await pollUntil('readiness: in sync with the new etcd', async () => (await readiness(agent.port)).datastore.ok, { timeoutMs: 30_000 })
  t.notMatch(await readFile(agent.settings.paths.birdConfig, 'utf8'), 'Global_10_99_7_50', 'nothing left from the old etcd')
  t.comment(`${failed()} failed attempts before the new etcd came up`)
})

/** The datastore link of one test, on its own client config file (BIRD plays no part). */
async function startLink(t: Test, etcd: EtcdHandle, peerIP: string) {
  const prefix = await mkdtemp(join(tmpdir(), 'falconer-switch-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const cfg = join(prefix, 'calicoctl.cfg')
  await writeFile(cfg, clientConfig(etcd.endpoint))
  const load = () => loadSettings({ prefix, config: cfg }, { FALCONER_DATASTORE_TIMEOUT: '2s' })
  const { log, records } = captureLog()
  const peers: string[][] = []
  const statuses: SyncStatus[] = []
  const link = new DatastoreLink({
    settings: load(),
    reloadSettings: load,
    log,
    // the next automatic retry is far away: only a save can bring the connection back
    retry: { initialMs: 600_000, maxMs: 600_000 },
    onSnapshot: (s) => peers.push([...s.bgpPeers.values()].map((p) => p.spec.peerIP ?? '')),
    onStatus: (s) => statuses.push(s),
    onConnected: () => ({ stop: async () => undefined }),
  })
  t.teardown(() => link.stop())
  await link.start()
  await pollUntil('a snapshot from the first etcd', () => peers.at(-1)?.[0] === peerIP)
  /** Endpoints of every switch the link made after its start, in order. */
  const switches = () => records.filter((r) => r.msg?.startsWith('client config changed')).map((r) => (r as { endpoints?: string[] }).endpoints?.join(','))
  return { cfg, records: records as { msg?: string }[], peers, statuses, switches }
}

t.test('saving the same client config again retries at once (no automatic retry due yet)', async (t) => {
  const [a, b] = [await startEtcd(t), await startEtcd(t)]
  await seed(a, '10.99.7.50')
  await seed(b, '10.99.7.60')
  await b.stop()
  const { cfg, records, peers, statuses, switches } = await startLink(t, a, '10.99.7.50')

  await writeFile(cfg, clientConfig(b.endpoint))
  await pollUntil('a failed connection attempt', () => records.some((r) => r.msg?.startsWith('cannot connect with the new client config')), { timeoutMs: 60_000 })
  t.equal(statuses.at(-1), 'disconnected', 'reported disconnected')
  await b.start()
  const snapshots = peers.length
  // The same file saved again (an operator's reaction to the error): it must not be ignored.
  await writeFile(cfg, clientConfig(b.endpoint))
  await pollUntil('a snapshot from the new etcd', () => peers.slice(snapshots).some((p) => p[0] === '10.99.7.60'), { timeoutMs: 60_000 })
  await pollUntil('in sync', () => statuses.at(-1) === 'in-sync')
  // Only the save can have reconnected: the automatic retry is 10 minutes away, and the
  // link switched settings once, to the new etcd (a half-written file read as empty would
  // have been a switch to the default endpoint, and the second save a switch back).
  t.same(switches(), [b.endpoint], 'one switch, to the new etcd')
  t.ok(records.some((r) => r.msg?.startsWith('client config saved again')), 'the save was taken as a reason to retry')
})

t.test('a client config caught half-written is not read: saving it repeatedly never drops the connection', async (t) => {
  // writeFile truncates, then writes: a watcher event between the two would read an empty
  // file, that is no etcdEndpoints, that is the default endpoint (another etcd, or none),
  // and the write's own event, a few ms later, would be dropped by the watcher.
  const a = await startEtcd(t)
  await seed(a, '10.99.7.50')
  const { cfg, records, statuses, switches } = await startLink(t, a, '10.99.7.50')
  const SAVES = 20
  for (let i = 0; i < SAVES; i++) {
    const seen = records.length
    await writeFile(cfg, clientConfig(a.endpoint))
    await pollUntil(`save ${i + 1} handled`, () => records.slice(seen).some((r) => r.msg?.startsWith('client config')))
  }
  t.same(switches(), [], `no switch after ${SAVES} saves of the same file`)
  t.notOk(statuses.includes('disconnected'), 'never disconnected')
  t.equal(statuses.at(-1), 'in-sync', 'still in sync')
})
