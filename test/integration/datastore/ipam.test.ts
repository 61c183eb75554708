import t from 'tap'
import { BlockInUseError, PoolExhaustedError } from '../../../src/datastore/errors.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { startEtcd } from '../../helpers/etcd.js'

const etcd = await startEtcd(t)
const store = await EtcdStore.connect(etcd.settings)
t.teardown(() => store.close())

const get = async (key: string) => {
  const out = (await etcd.etcdctl(['get', key, '--print-value-only'])).trimEnd()
  return out === '' ? undefined : (JSON.parse(out) as Record<string, unknown>)
}

t.test('20 concurrent claims for 20 nodes get 20 distinct blocks', async (t) => {
  const nodes = Array.from({ length: 20 }, (_, i) => `node-${i}`)
  // Separate clients, as separate hosts would have.
  const stores = await Promise.all(nodes.map(() => EtcdStore.connect(etcd.settings)))
  t.teardown(() => Promise.all(stores.map((s) => s.close())))
  const claims = await Promise.all(nodes.map((n, i) => stores[i]!.claimAffinity(n, '10.99.0.0/16', 26)))
  t.same(
    claims.map((c) => c.node),
    nodes,
  )
  t.equal(new Set(claims.map((c) => c.cidr)).size, 20, 'all blocks distinct')
  t.ok(claims.every((c) => c.state === 'confirmed' && /^10\.99\.\d+\.\d+\/26$/.test(c.cidr)))
  // In address order from the start of the pool: exactly the first 20 blocks.
  const expected = Array.from({ length: 20 }, (_, i) => `10.99.${i >> 2}.${(i & 3) * 64}/26`).sort()
  t.same(claims.map((c) => c.cidr).sort(), expected)

  const all = await store.listAffinities()
  t.equal(all.length, 20)
  for (const c of claims) {
    const seg = c.cidr.replace('/', '-')
    t.same(await get(`/calico/ipam/v2/host/${c.node}/ipv4/block/${seg}`), { state: 'confirmed' }, `${c.node}: affinity key`)
    const block = await get(`/calico/ipam/v2/assignment/ipv4/block/${seg}`)
    t.match(block, { cidr: c.cidr, affinity: `host:${c.node}`, deleted: false }, `${c.node}: block key`)
  }
})

t.test('a repeated claim returns the same block', async (t) => {
  const first = await store.claimAffinity('repeat', '10.99.0.0/16', 26)
  const again = await store.claimAffinity('repeat', '10.99.0.0/16', 26)
  t.same(again, first)
  // Concurrent claims for one node also agree (the node's own affinities are compare-and-swapped).
  const racing = await Promise.all(Array.from({ length: 5 }, () => store.claimAffinity('racer', '10.99.0.0/16', 26)))
  t.equal(new Set(racing.map((c) => c.cidr)).size, 1, 'one block for one node')
  t.same(await store.listAffinities('racer'), [racing[0]])
})

t.test('an affinity written by Calico is reused', async (t) => {
  await etcd.etcdctl(['put', '/calico/ipam/v2/host/calico-node/ipv4/block/10.99.200.0-26', '{"state":"confirmed"}'])
  t.same(await store.claimAffinity('calico-node', '10.99.0.0/16', 26), { node: 'calico-node', cidr: '10.99.200.0/26', state: 'confirmed' })
  t.equal((await store.claimAffinity('calico-node', '10.98.0.0/16', 26)).cidr, '10.98.0.0/26', 'another pool, another block')
  t.equal((await store.listAffinities('calico-node')).length, 2)
})

t.test('IPv6 blocks use Calico key form', async (t) => {
  const a = await store.claimAffinity('v6-node', 'fd99::/48', 122)
  const b = await store.claimAffinity('v6-other', 'fd99::/48', 122)
  t.same([a.cidr, b.cidr], ['fd99::/122', 'fd99::40/122'])
  t.same(await get('/calico/ipam/v2/host/v6-node/ipv6/block/fd99::-122'), { state: 'confirmed' })
  t.match(await get('/calico/ipam/v2/assignment/ipv6/block/fd99::40-122'), { cidr: 'fd99::40/122', affinity: 'host:v6-other' })
})

t.test('release deletes affinity and block together; the block is free again', async (t) => {
  const claim = await store.claimAffinity('leaver', '10.97.0.0/24', 26)
  t.equal(claim.cidr, '10.97.0.0/26')
  await store.releaseAffinity('leaver', claim.cidr)
  t.equal(await get('/calico/ipam/v2/host/leaver/ipv4/block/10.97.0.0-26'), undefined)
  t.equal(await get('/calico/ipam/v2/assignment/ipv4/block/10.97.0.0-26'), undefined)
  await store.releaseAffinity('leaver', claim.cidr) // already gone: no-op
  t.equal((await store.claimAffinity('newcomer', '10.97.0.0/24', 26)).cidr, '10.97.0.0/26')
})

t.test('a block with allocated addresses is not released', async (t) => {
  const claim = await store.claimAffinity('busy', '10.96.0.0/24', 26)
  const key = '/calico/ipam/v2/assignment/ipv4/block/10.96.0.0-26'
  const block = (await get(key))!
  const allocations = (block.allocations as (number | null)[]).map((a, i) => (i === 3 ? 0 : a))
  await etcd.etcdctl(['put', key, JSON.stringify({ ...block, allocations })])
  await t.rejects(store.releaseAffinity('busy', claim.cidr), BlockInUseError)
  t.ok(await get('/calico/ipam/v2/host/busy/ipv4/block/10.96.0.0-26'), 'affinity kept')
})

t.test('a full pool is reported', async (t) => {
  for (let i = 0; i < 4; i++) await store.claimAffinity(`filler-${i}`, '10.95.0.0/24', 26)
  await t.rejects(store.claimAffinity('one-too-many', '10.95.0.0/24', 26), PoolExhaustedError)
  await t.rejects(store.claimAffinity('x', '10.95.0.0/24', 8), { name: 'ValidationError', path: 'spec.blockSize' })
  await t.rejects(store.claimAffinity('x', '10.95.0.1/24', 26), { name: 'ValidationError' })
})
