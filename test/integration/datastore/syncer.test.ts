import t, { type Test } from 'tap'
import type { Snapshot } from '../../../src/api/snapshot.js'
import { encodeResource } from '../../../src/datastore/codec.js'
import { createEtcdClient } from '../../../src/datastore/etcd-client.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { resourceKey } from '../../../src/datastore/keys.js'
import { deleteOp, putOp } from '../../../src/datastore/kv-ops.js'
import { knownByKey } from '../../../src/datastore/snapshot-state.js'
import { startSyncer, type SyncStatus } from '../../../src/datastore/syncer.js'
import { freePort, startEtcd } from '../../helpers/etcd.js'
import { bgpConfiguration, bgpPeer, calicoNodeStatus, ipPool, node } from './fixtures.js'
import { captureLog, etcdState, snapshotState, sorted, until } from './sync-helpers.js'

const etcd = await startEtcd(t)
const store = await EtcdStore.connect(etcd.settings)
t.teardown(() => store.close())

type Event = { type: 'snapshot'; snapshot: Snapshot } | { type: 'status'; status: SyncStatus }

function record(t: Test, settings = etcd.settings) {
  const client = createEtcdClient(settings)
  const events: Event[] = []
  const { log, records } = captureLog()
  const syncer = startSyncer(client, {
    onSnapshot: (snapshot) => events.push({ type: 'snapshot', snapshot }),
    onStatus: (status) => events.push({ type: 'status', status }),
    log,
    backoff: { initialMs: 100, maxMs: 500 },
  })
  t.teardown(async () => {
    await syncer.stop()
    client.close()
  })
  const snapshots = () => events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []))
  const statuses = () => events.flatMap((e) => (e.type === 'status' ? [e.status] : []))
  return { syncer, client, events, snapshots, statuses, records }
}

t.test('nothing is emitted until the datastore has been listed', async (t) => {
  const unreachable = { ...etcd.settings, endpoints: [`http://127.0.0.1:${await freePort()}`], timeoutMs: 500 }
  const r = record(t, unreachable)
  const failures = () => r.records.filter((x) => x.msg === 'etcd sync interrupted; retrying').length
  await until(() => failures() >= 3, 'three failed list attempts')
  t.same(r.snapshots(), [], 'no snapshot without a list')
  t.same(r.statuses(), ['syncing'])
  t.equal(r.syncer.current(), undefined)
})

t.test('the first snapshot is the complete state, then the syncer is in sync', async (t) => {
  const { client: writer } = record(t) // a spare client for raw writes
  await writer.kv.txn({
    success: [
      ...Array.from({ length: 40 }, (_, i) => putOp(resourceKey('Node', `n-${i}`), encodeResource(node(`n-${i}`, `10.99.1.${i + 1}`)))),
      putOp(resourceKey('BGPPeer', 'tor'), encodeResource(bgpPeer('tor'))),
      putOp(resourceKey('BGPConfiguration', 'default'), encodeResource(bgpConfiguration())),
      putOp(resourceKey('IPPool', 'default-ipv4-ippool'), encodeResource(ipPool())),
      putOp('/calico/ipam/v2/host/n-0/ipv4/block/192.168.0.0-26', '{"state":"confirmed"}'),
    ],
  })
  const written = await etcdState(writer)

  const r = record(t)
  await until(() => r.statuses().includes('in-sync'), 'in-sync')
  const first = r.snapshots()[0]!
  t.ok(first.revision >= written.revision, 'at or after the writes')
  t.equal(first.nodes.size, 40)
  t.same(sorted(snapshotState(first)), sorted(written.state), 'complete: exactly what etcd holds')
  t.same(
    r.events.map((e) => (e.type === 'status' ? e.status : 'snapshot')),
    ['syncing', 'snapshot', 'in-sync'],
    'the snapshot came before in-sync, and nothing before it',
  )
})

t.test('one watch response is one snapshot; deletes remove keys; irrelevant keys emit nothing', async (t) => {
  const r = record(t)
  await until(() => r.statuses().includes('in-sync'), 'in-sync')
  const before = r.snapshots().length
  const base = r.syncer.current()!

  const res = await r.client.kv.txn({
    success: [
      putOp(resourceKey('Node', 'batch-1'), encodeResource(node('batch-1'))),
      putOp(resourceKey('Node', 'batch-2'), encodeResource(node('batch-2'))),
      putOp(resourceKey('BGPPeer', 'batch-peer'), encodeResource(bgpPeer('batch-peer'))),
      deleteOp(resourceKey('Node', 'n-0')),
      deleteOp('/calico/ipam/v2/host/n-0/ipv4/block/192.168.0.0-26'),
    ],
  })
  const txnRevision = Number(res.header.revision)
  await until(() => (r.syncer.current()?.revision ?? 0) >= txnRevision, 'the batch')
  const after = r.snapshots().slice(before)
  t.equal(after.length, 1, 'exactly one snapshot for the transaction')
  const s = after[0]!
  t.equal(s.revision, txnRevision)
  t.ok(s.nodes.has('batch-1') && s.nodes.has('batch-2') && s.bgpPeers.has('batch-peer'))
  t.notOk(s.nodes.has('n-0'), 'deleted node is gone')
  t.equal(s.blockAffinities.size, 0, 'deleted affinity is gone')
  t.equal(s.nodes.get('batch-1')?.metadata.resourceVersion, String(txnRevision))
  t.ok(base.nodes.has('n-0'), 'the previous snapshot is unchanged')
  t.notOk(base.nodes.has('batch-1'))

  // Keys inside the watched range that falconer does not sync: no snapshot.
  const count = r.snapshots().length
  await store.create(calicoNodeStatus('status-1'))
  await etcd.etcdctl(['put', '/calico/resources/v3/projectcalico.org/felixconfigurations/default', '{}'])
  const marker = await store.create(bgpPeer('marker'))
  await until(() => r.syncer.current()?.bgpPeers.has('marker') === true, 'marker')
  t.equal(r.snapshots().length, count + 1, 'only the marker produced a snapshot')
  t.equal(r.syncer.current()?.revision, Number(marker.metadata.resourceVersion))
})

t.test('an invalid value put with etcdctl lands in snapshot.invalid, never in the maps', async (t) => {
  const r = record(t)
  await until(() => r.statuses().includes('in-sync'), 'in-sync')
  const key = '/calico/resources/v3/projectcalico.org/bgppeers/evil'
  await etcd.etcdctl([
    'put',
    key,
    '{"kind":"BGPPeer","apiVersion":"projectcalico.org/v3","metadata":{"name":"evil"},"spec":{"peerIP":"10.99.0.9","asNumber":65001,"password":{"secretKeyRef":{"name":"s","key":"k\\"; }"}}}}',
  ])
  await etcd.etcdctl(['put', '/calico/resources/v3/projectcalico.org/ippools/garbage', 'not json'])
  await until(() => r.syncer.current()?.invalid.size === 2, 'two invalid entries')
  const s = r.syncer.current()!
  t.match(s.invalid.get(key), { key, field: /^spec\.password/, reason: /.+/ })
  t.match(s.invalid.get('/calico/resources/v3/projectcalico.org/ippools/garbage'), { field: '', reason: /not JSON/ })
  t.notOk(s.bgpPeers.has('evil'))
  t.notOk(s.ipPools.has('garbage'))

  // A fresh syncer sees the same from its initial list.
  const fresh = record(t)
  await until(() => fresh.syncer.current() !== undefined, 'fresh list')
  t.same([...fresh.syncer.current()!.invalid.keys()].sort(), [...s.invalid.keys()].sort())

  await store.apply(bgpPeer('evil'))
  await etcd.etcdctl(['del', '/calico/resources/v3/projectcalico.org/ippools/garbage'])
  await until(() => r.syncer.current()?.invalid.size === 0, 'invalid cleared')
  t.ok(r.syncer.current()?.bgpPeers.has('evil'), 'fixed value is in the map')
})

t.test('after stop nothing more is emitted', async (t) => {
  const r = record(t)
  await until(() => r.statuses().includes('in-sync'), 'in-sync')
  await r.syncer.stop()
  const count = r.snapshots().length
  const last = await store.create(node('after-stop'))
  const watcher = record(t)
  await until(() => (watcher.syncer.current()?.revision ?? 0) >= Number(last.metadata.resourceVersion), 'another syncer saw the write')
  t.equal(r.snapshots().length, count)
})

t.test("the first list takes the Nodes startup listed, where unchanged; later snapshots decode what etcd holds", async (t) => {
  await store.create(node('known-1', '10.99.7.1'))
  await store.create(node('known-2', '10.99.7.2'))
  const known = knownByKey(await store.list('Node')) // as startup lists them for its conflict check
  const { client: writer } = record(t)
  await writer.put(resourceKey('Node', 'known-2')).value(encodeResource(node('known-2', '10.99.7.22'))) // changed since

  let takes = 0
  const client = createEtcdClient(etcd.settings)
  const snapshots: Snapshot[] = []
  const syncer = startSyncer(client, {
    onSnapshot: (s) => snapshots.push(s),
    takeKnown: () => {
      takes++
      return known
    },
  })
  t.teardown(async () => {
    await syncer.stop()
    client.close()
  })
  await until(() => snapshots.length > 0, 'the first snapshot')
  const first = snapshots[0]!
  t.equal(first.nodes.get('known-1'), known.get(resourceKey('Node', 'known-1')), 'known-1: the very object startup decoded')
  t.equal(first.nodes.get('known-2')?.spec.bgp?.ipv4Address, '10.99.7.22/24', 'known-2: what etcd holds now, not what startup saw')
  t.equal(takes, 1)

  await writer.put(resourceKey('Node', 'known-1')).value(encodeResource(node('known-1', '10.99.7.11')))
  await until(() => snapshots.at(-1)?.nodes.get('known-1')?.spec.bgp?.ipv4Address === '10.99.7.11/24', 'the change to known-1')
  t.equal(takes, 1, 'handed over to the first list only')
})
