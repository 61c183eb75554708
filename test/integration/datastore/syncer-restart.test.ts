import t, { type Test } from 'tap'
import type { Snapshot } from '../../../src/api/snapshot.js'
import { createEtcdClient } from '../../../src/datastore/etcd-client.js'
import { UnavailableError } from '../../../src/datastore/errors.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { startSyncer, type SyncStatus } from '../../../src/datastore/syncer.js'
import { startEtcd } from '../../helpers/etcd.js'
import { bgpPeer, ipPool, node } from './fixtures.js'
import { captureLog, etcdState, snapshotState, sorted, until } from './sync-helpers.js'

/**
 * The syncer across etcd outages: SIGKILL + restart mid-watch (resume, nothing lost or
 * doubled) and compaction while it was away (full resync to exactly the current state).
 */

// Frequent watch progress notifications, so a quiet watch's resume point moves within the test.
const etcd = await startEtcd(t, { extraArgs: ['--experimental-watch-progress-notify-interval=300ms'] })
// A store with a short bound, so writes during the outage fail quickly.
const settings = { ...etcd.settings, timeoutMs: 2_000 }
let store = await EtcdStore.connect(settings)
t.teardown(() => store.close())

const snapshots: Snapshot[] = []
const statuses: SyncStatus[] = []
const { log, records } = captureLog()
const progress = () => records.flatMap((r) => (r.msg === 'watch progress' && r.revision !== undefined ? [r.revision] : []))
const client = createEtcdClient(etcd.settings)
const syncer = startSyncer(client, {
  onSnapshot: (s) => snapshots.push(s),
  onStatus: (s) => statuses.push(s),
  backoff: { initialMs: 100, maxMs: 1_000 },
  log,
})
t.teardown(async () => {
  await syncer.stop()
  client.close()
})

/** Every emitted snapshot must equal etcd's state at the revision it claims (while history lasts). */
async function checkEverySnapshot(t: Test, from: number, to = snapshots.length) {
  const checker = createEtcdClient(etcd.settings)
  try {
    for (const s of snapshots.slice(from, to)) {
      const at = await etcdState(checker, s.revision)
      t.same(sorted(snapshotState(s)), sorted(at.state), `snapshot at revision ${s.revision} equals etcd at that revision`)
    }
  } finally {
    checker.close()
  }
}

function checkMonotonic(t: Test) {
  const revisions = snapshots.map((s) => s.revision)
  t.ok(
    revisions.every((r, i) => i === 0 || r > revisions[i - 1]!),
    `emitted revisions strictly increase (${revisions.length} snapshots)`,
  )
}

async function converged(): Promise<boolean> {
  const current = syncer.current()
  if (!current) return false
  const now = await etcdState(client)
  return JSON.stringify(sorted(snapshotState(current))) === JSON.stringify(sorted(now.state))
}

/** Writes until told to stop, skipping over the outage; returns the names it wrote. */
function startWriter(prefix: string) {
  let running = true
  const written: string[] = []
  const done = (async () => {
    for (let i = 0; running; i++) {
      const name = `${prefix}-${i}`
      try {
        await store.apply(node(name, `10.99.${2 + (i >> 8)}.${i & 255}`))
        written.push(name)
      } catch {
        await new Promise((r) => setTimeout(r, 50))
        i--
      }
    }
  })()
  return {
    written,
    stop: async () => {
      running = false
      await done
    },
  }
}

await until(() => statuses.includes('in-sync'), 'initial sync')

t.test('SIGKILL + restart mid-watch: the syncer resumes, nothing lost or doubled', async (t) => {
  for (let i = 0; i < 10; i++) await store.create(node(`before-${i}`, `10.99.1.${i + 1}`))
  await store.create(bgpPeer('peer-before'))
  await store.create(ipPool())
  const from = snapshots.length

  const writer = startWriter('during')
  await until(() => writer.written.length >= 5, 'some writes in flight')
  await etcd.kill()
  await until(() => statuses.at(-1) === 'disconnected', 'disconnected')

  // Requests are bounded while etcd is gone: one fails with UnavailableError instead of
  // waiting for etcd to come back.
  await t.rejects(store.get('Node', 'before-0'), UnavailableError, 'a request during the outage fails instead of hanging')

  await etcd.start()
  await until(() => writer.written.length >= 15, 'writes after the restart')
  await writer.stop()
  for (let i = 0; i < 5; i++) await store.delete('Node', `before-${i}`)
  const peer = (await store.get('BGPPeer', 'peer-before'))!
  await store.update({ ...peer, spec: { ...peer.spec, asNumber: 65099 } })

  await until(converged, 'the syncer converged on etcd')
  const last = syncer.current()!
  t.same([...last.nodes.keys()].filter((n) => n.startsWith('during-')).sort(), [...writer.written].sort(), 'every write made it')
  t.notOk([...last.nodes.keys()].some((n) => /^before-[0-4]$/.test(n)), 'deleted nodes are gone')
  t.equal(last.bgpPeers.get('peer-before')?.spec.asNumber, 65099)
  t.notOk(statuses.includes('resyncing'), 'resumed from its revision: no full resync was needed')
  t.same(statuses.slice(-2), ['disconnected', 'in-sync'])
  checkMonotonic(t)
  await checkEverySnapshot(t, from)
})

t.test('compaction while the syncer was away forces a full resync to exactly the current state', async (t) => {
  const before = syncer.current()!
  t.ok(before.nodes.has('before-9'))
  const from = snapshots.length

  await etcd.kill()
  await until(() => statuses.at(-1) === 'disconnected', 'disconnected')
  // Change the data (and compact its history) where the syncer cannot see it.
  const hidden = await etcd.startHidden()
  await hidden.etcdctl(['del', '/calico/resources/v3/projectcalico.org/nodes/before-9'])
  await hidden.etcdctl(['put', '/calico/resources/v3/projectcalico.org/nodes/hidden-1', JSON.stringify({ ...node('hidden-1', '10.99.9.1'), kind: 'Node' })])
  await hidden.etcdctl(['put', '/calico/ipam/v2/host/hidden-1/ipv4/block/192.168.9.0-26', '{"state":"confirmed"}'])
  const status = JSON.parse(await hidden.etcdctl(['endpoint', 'status', '-w', 'json'])) as { Status: { header: { revision: number } } }[]
  const revision = status[0]!.Status.header.revision
  await hidden.etcdctl(['compact', String(revision), '--physical'])
  await hidden.stop()
  t.ok(revision > before.revision + 1, 'history the syncer needed is compacted away')

  await etcd.start()
  await until(() => syncer.current()!.nodes.has('hidden-1'), 'the resync')
  await until(() => statuses.at(-1) === 'in-sync', 'in-sync again')
  const after = syncer.current()!
  t.ok(statuses.includes('resyncing'), 'the syncer resynced')
  t.notOk(after.nodes.has('before-9'), 'a key deleted during the outage is gone')
  t.ok(after.blockAffinities.has('hidden-1/192.168.9.0/26'))
  t.ok(after.revision >= revision)
  t.ok(await converged(), 'the resync snapshot is exactly the current state')
  t.equal(snapshots.length, from + 1, 'one snapshot: the resync (no partial views on the way)')
  checkMonotonic(t)

  // And it keeps watching afterwards.
  await store.close()
  store = await EtcdStore.connect(settings)
  await store.create(node('after-resync', '10.99.9.2'))
  await until(() => syncer.current()!.nodes.has('after-resync'), 'watch after resync')
  await checkEverySnapshot(t, from + 1)
})

t.test('a quiet watch resumes from etcd progress, so compacting old history needs no resync', async (t) => {
  await until(() => statuses.at(-1) === 'in-sync', 'in-sync')
  const mark = statuses.length
  const snapshotCount = snapshots.length
  // Writes outside the synced range move the store revision but send the syncer no events.
  for (let i = 0; i < 5; i++) await etcd.etcdctl(['put', `/calico/felix/v2/no-region/host/quiet/status-${i}`, '{}'])
  const status = JSON.parse(await etcd.etcdctl(['endpoint', 'status', '-w', 'json'])) as { Status: { header: { revision: number } } }[]
  const revision = status[0]!.Status.header.revision
  await until(() => progress().some((r) => r >= revision), 'a progress notification at the latest revision')

  await etcd.kill()
  await until(() => statuses.at(-1) === 'disconnected', 'disconnected')
  const hidden = await etcd.startHidden()
  await hidden.etcdctl(['compact', String(revision), '--physical'])
  await hidden.stop()
  await etcd.start()
  await until(() => statuses.at(-1) === 'in-sync', 'in-sync again')
  t.same(statuses.slice(mark), ['disconnected', 'in-sync'], 'resumed without a resync')
  t.equal(snapshots.length, snapshotCount, 'nothing relevant changed, nothing emitted')
  await store.create(node('after-quiet', '10.99.9.3'))
  await until(() => syncer.current()!.nodes.has('after-quiet'), 'still watching')
  t.ok(await converged())
})
