import t from 'tap'
import { validateKind } from '../../../src/api/validate/index.js'
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../../src/datastore/errors.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { startEtcd } from '../../helpers/etcd.js'
import { bgpPeer, node, oneOfEachKind } from './fixtures.js'
import type { AnyResource } from '../../../src/api/types.js'

const etcd = await startEtcd(t)
const store = await EtcdStore.connect(etcd.settings)
t.teardown(() => store.close())

const withoutServerMeta = (r: AnyResource) => {
  const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ts, ...metadata } = r.metadata
  return { ...r, metadata }
}

t.test('create, get, list, update, apply, delete round trip for every kind', async (t) => {
  for (const r of oneOfEachKind()) {
    const ns = r.metadata.namespace
    const created = await store.create(r)
    t.match(created.metadata, { name: r.metadata.name, resourceVersion: /^\d+$/, uid: /^[0-9a-f-]{36}$/, creationTimestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ })
    t.same(withoutServerMeta(created), validateKind(r.kind, r), `${r.kind}: created as given`)

    const got = await store.get(r.kind, r.metadata.name, ns)
    t.same(got, created, `${r.kind}: get returns what create returned`)
    t.same((await store.list(r.kind, ns)).map((x) => x.metadata.name), [r.metadata.name], `${r.kind}: list`)

    const labelled = { ...created, metadata: { ...created.metadata, labels: { changed: 'yes' } } }
    const updated = await store.update(labelled)
    t.ok(Number(updated.metadata.resourceVersion) > Number(created.metadata.resourceVersion), `${r.kind}: update moves the revision`)
    t.same((await store.get(r.kind, r.metadata.name, ns))?.metadata.labels, { changed: 'yes' })

    // apply without uid/creationTimestamp keeps them (Calico's replace semantics).
    const applied = await store.apply(withoutServerMeta(r) as typeof r)
    t.equal(applied.metadata.uid, created.metadata.uid, `${r.kind}: apply keeps uid`)
    t.equal(applied.metadata.creationTimestamp, created.metadata.creationTimestamp)

    const deleted = await store.delete(r.kind, r.metadata.name, { ...(ns !== undefined && { namespace: ns }) })
    t.same(deleted, applied, `${r.kind}: delete returns the deleted resource`)
    t.equal(await store.get(r.kind, r.metadata.name, ns), undefined)
  }
})

t.test('create of an existing resource fails with AlreadyExistsError', async (t) => {
  await store.create(node('dup'))
  await t.rejects(store.create(node('dup')), AlreadyExistsError)
  await t.rejects(store.create(node('dup')), { message: 'resource already exists: Node(dup)' })
})

t.test('update is compare-and-swap on resourceVersion: of two writers, the second loses', async (t) => {
  const original = await store.create(bgpPeer('cas'))
  const writerA = { ...original, spec: { ...original.spec, asNumber: 65010 } }
  const writerB = { ...original, spec: { ...original.spec, asNumber: 65020 } }
  const a = await store.update(writerA)
  await t.rejects(store.update(writerB), ConflictError)
  t.equal((await store.get('BGPPeer', 'cas'))?.spec.asNumber, 65010, 'the loser wrote nothing')
  // Re-read and retry succeeds.
  const fresh = await store.get('BGPPeer', 'cas')
  const b = await store.update({ ...fresh!, spec: { ...fresh!.spec, asNumber: 65020 } })
  t.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion))

  // Concurrently: exactly one of N writers holding the same version wins.
  const base = (await store.get('BGPPeer', 'cas'))!
  const results = await Promise.allSettled(
    [65031, 65032, 65033, 65034].map((asNumber) => store.update({ ...base, spec: { ...base.spec, asNumber } })),
  )
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one winner')
  t.ok(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError))
})

t.test('update and delete of a missing resource fail with NotFoundError', async (t) => {
  await t.rejects(store.update(node('ghost')), NotFoundError)
  await t.rejects(store.update({ ...node('ghost'), metadata: { name: 'ghost', resourceVersion: '5' } }), NotFoundError)
  await t.rejects(store.delete('Node', 'ghost'), { name: 'NotFoundError', message: 'resource does not exist: Node(ghost)' })
})

t.test('delete with a resourceVersion is compare-and-swap', async (t) => {
  const v1 = await store.create(node('del-cas'))
  const v2 = await store.update({ ...v1, metadata: { ...v1.metadata, labels: { v: '2' } } })
  await t.rejects(store.delete('Node', 'del-cas', { resourceVersion: v1.metadata.resourceVersion! }), ConflictError)
  t.ok(await store.get('Node', 'del-cas'), 'still there after the failed delete')
  const gone = await store.delete('Node', 'del-cas', { resourceVersion: v2.metadata.resourceVersion! })
  t.equal(gone.metadata.resourceVersion, v2.metadata.resourceVersion)
})

t.test('a BGPPeer written by falconer is Calico JSON at the Calico key', async (t) => {
  const peer = await store.create({ ...bgpPeer('rack1-tor'), spec: { peerIP: '10.99.0.254', asNumber: 65001, node: 'node-1' } })
  const out = await etcd.etcdctl(['get', '/calico/resources/v3/projectcalico.org/bgppeers/rack1-tor'])
  const [key, value, ...rest] = out.trimEnd().split('\n')
  t.equal(key, '/calico/resources/v3/projectcalico.org/bgppeers/rack1-tor')
  t.same(rest, [])
  const stored = JSON.parse(value!) as Record<string, unknown>
  t.same(stored, {
    kind: 'BGPPeer',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'rack1-tor', uid: peer.metadata.uid, creationTimestamp: peer.metadata.creationTimestamp },
    spec: { node: 'node-1', peerIP: '10.99.0.254', asNumber: 65001 },
  })
  t.notMatch(value!, /resourceVersion/)
  const rev = JSON.parse(await etcd.etcdctl(['get', '/calico/resources/v3/projectcalico.org/bgppeers/rack1-tor', '-w', 'json'])) as {
    kvs: { mod_revision: number }[]
  }
  t.equal(peer.metadata.resourceVersion, String(rev.kvs[0]!.mod_revision), 'resourceVersion is the mod revision')
})

t.test('a resource put by etcdctl in Calico format reads back', async (t) => {
  const calicoJson =
    '{"kind":"IPPool","apiVersion":"projectcalico.org/v3","metadata":{"name":"from-calico","uid":"8d2b8c51-4a8f-4a3a-9f52-6c1e2f0d7a11","creationTimestamp":"2023-01-02T03:04:05Z"},' +
    '"spec":{"cidr":"10.244.0.0/16","ipipMode":"Always","natOutgoing":true,"blockSize":26,"nodeSelector":"all()","vxlanMode":"Never"}}'
  await etcd.etcdctl(['put', '/calico/resources/v3/projectcalico.org/ippools/from-calico', calicoJson])
  const pool = await store.get('IPPool', 'from-calico')
  t.match(pool, {
    kind: 'IPPool',
    metadata: { name: 'from-calico', uid: '8d2b8c51-4a8f-4a3a-9f52-6c1e2f0d7a11', creationTimestamp: '2023-01-02T03:04:05Z', resourceVersion: /^\d+$/ },
    spec: { cidr: '10.244.0.0/16', ipipMode: 'Always', natOutgoing: true, blockSize: 26, nodeSelector: 'all()' },
  })
})

t.test('an invalid stored value is reported by get and skipped by list', async (t) => {
  await etcd.etcdctl(['put', '/calico/resources/v3/projectcalico.org/bgppeers/broken', '{"kind":"BGPPeer","apiVersion":"projectcalico.org/v3","metadata":{"name":"broken"},"spec":{"peerIP":"300.1.1.1","asNumber":65001}}'])
  await t.rejects(store.get('BGPPeer', 'broken'), {
    name: 'InvalidValueError',
    key: '/calico/resources/v3/projectcalico.org/bgppeers/broken',
    field: 'spec.peerIP',
  })
  const names = (await store.list('BGPPeer')).map((p) => p.metadata.name)
  t.notOk(names.includes('broken'))
  t.ok(names.includes('rack1-tor'))
  const deleted = await store.delete('BGPPeer', 'broken')
  t.equal(deleted.metadata.name, 'broken', 'an invalid value can still be deleted')
})

t.test('invalid input is never written', async (t) => {
  await t.rejects(store.create({ ...bgpPeer('bad-input'), spec: { peerIP: 'not-an-ip', asNumber: 1 } }), { name: 'ValidationError' })
  t.equal((await etcd.etcdctl(['get', '/calico/resources/v3/projectcalico.org/bgppeers/bad-input'])).trim(), '')
})

t.test('workload endpoints are listed per namespace', async (t) => {
  const { workloadEndpoint } = await import('./fixtures.js')
  await store.create(workloadEndpoint('w1', 'ns-a'))
  await store.create(workloadEndpoint('w2', 'ns-b'))
  t.same((await store.list('WorkloadEndpoint', 'ns-a')).map((w) => w.metadata.name), ['w1'])
  t.same((await store.list('WorkloadEndpoint')).map((w) => `${w.metadata.namespace}/${w.metadata.name}`), ['ns-a/w1', 'ns-b/w2'])
})
