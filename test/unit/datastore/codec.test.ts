import t from 'tap'
import { validateKind } from '../../../src/api/validate/index.js'
import { parseCidr } from '../../../src/datastore/cidr.js'
import {
  blockAllocatedCount,
  blockHost,
  decodeAffinity,
  decodeResource,
  encodeNewBlock,
  encodeResource,
  rfc3339,
  storedCreationMeta,
  withCreationMeta,
  withPreservedMeta,
} from '../../../src/datastore/codec.js'
import { InvalidValueError } from '../../../src/datastore/errors.js'
import { resourceKey } from '../../../src/datastore/keys.js'
import { bgpPeer, oneOfEachKind } from '../../integration/datastore/fixtures.js'

t.test('every kind round-trips through its stored form', async (t) => {
  for (const r of oneOfEachKind()) {
    const key = resourceKey(r.kind, r.metadata.name, r.metadata.namespace)
    const stored = encodeResource({ ...r, metadata: { ...r.metadata, resourceVersion: '99' } })
    t.notMatch(stored, /resourceVersion/, `${r.kind}: resourceVersion is not stored`)
    const back = decodeResource(r.kind, { key, value: Buffer.from(stored), mod_revision: '42' })
    t.same(back, { ...validateKind(r.kind, r), metadata: { ...validateKind(r.kind, r).metadata, resourceVersion: '42' } }, r.kind)
  }
})

t.test('stored JSON puts kind and apiVersion first, as Calico does', async (t) => {
  t.match(encodeResource(bgpPeer('p')), /^\{"kind":"BGPPeer","apiVersion":"projectcalico.org\/v3","metadata":/)
})

t.test('decode reports key, field and reason', async (t) => {
  const key = resourceKey('BGPPeer', 'p')
  const bad = (value: string) => {
    try {
      decodeResource('BGPPeer', { key, value: Buffer.from(value), mod_revision: '1' })
    } catch (e) {
      return e
    }
    return undefined
  }
  const notJson = bad('{nope')
  t.type(notJson, InvalidValueError)
  t.match(notJson, { key, field: '', reason: /not JSON/ })
  t.match(bad(JSON.stringify({ ...bgpPeer('p'), spec: { peerIP: '10.0.0.300', asNumber: 1 } })), { key, field: 'spec.peerIP' })
  t.match(bad(JSON.stringify(bgpPeer('other'))), { key, field: 'metadata.name', reason: /does not match/ })
  t.throws(() => decodeResource('Node', { key, value: Buffer.from('{}'), mod_revision: '1' }), { name: 'InvalidValueError', reason: /not a Node key/ })
})

t.test('creation metadata: set on create, kept on update', async (t) => {
  const now = new Date('2024-05-06T07:08:09.123Z')
  t.equal(rfc3339(now), '2024-05-06T07:08:09Z')
  const created = withCreationMeta(bgpPeer('p'), now, 'uid-1')
  t.match(created.metadata, { uid: 'uid-1', creationTimestamp: '2024-05-06T07:08:09Z' })
  t.equal(withCreationMeta({ ...bgpPeer('p'), metadata: { name: 'p', uid: 'mine' } }, now, 'x').metadata.uid, 'mine')
  const meta = storedCreationMeta(encodeResource(created))
  t.same(meta, { uid: 'uid-1', creationTimestamp: '2024-05-06T07:08:09Z' })
  t.same(storedCreationMeta('not json'), {})
  t.match(withPreservedMeta(bgpPeer('p'), meta).metadata, { uid: 'uid-1', creationTimestamp: '2024-05-06T07:08:09Z' })
})

t.test('affinity values', async (t) => {
  const cidr = parseCidr('10.0.0.64/26')
  const kv = (value: string) => ({ key: '/calico/ipam/v2/host/n1/ipv4/block/10.0.0.64-26', value, mod_revision: '3' })
  t.same(decodeAffinity('n1', cidr, kv('{"state":"confirmed"}')), { node: 'n1', cidr: '10.0.0.64/26', state: 'confirmed' })
  t.same(decodeAffinity('n1', cidr, kv('')), { node: 'n1', cidr: '10.0.0.64/26', state: 'confirmed' }, 'pre-state Calico')
  t.equal(decodeAffinity('n1', cidr, kv('{"state":"pending"}')).state, 'pending')
  t.throws(() => decodeAffinity('n1', cidr, kv('{"state":"mine"}')), InvalidValueError)
})

t.test('a new block is a Calico block with every ordinal free', async (t) => {
  const value = encodeNewBlock(parseCidr('10.0.0.64/26'), 'n1')
  const block = JSON.parse(value) as Record<string, unknown>
  t.match(block, { cidr: '10.0.0.64/26', affinity: 'host:n1', strictAffinity: false, attributes: [], deleted: false })
  t.equal((block.allocations as unknown[]).length, 64)
  t.same((block.unallocated as number[]).slice(0, 3), [0, 1, 2])
  t.equal(blockHost(value), 'n1')
  t.equal(blockAllocatedCount(value), 0)
  t.equal(blockAllocatedCount(JSON.stringify({ allocations: [null, 0, null, 1] })), 2)
})

t.test('labels and annotations are stored sorted by key, and <>& escaped, as Go marshals them', async (t) => {
  const text = encodeResource({
    apiVersion: 'projectcalico.org/v3',
    kind: 'Node',
    metadata: { name: 'n', uid: 'u', labels: { z: 'true', '10': 'x', a: 'a<b>&c' }, annotations: { b: '1', a: '2' } },
    spec: {},
  })
  t.equal(
    text,
    '{"kind":"Node","apiVersion":"projectcalico.org/v3","metadata":{"name":"n","uid":"u","labels":{"10":"x","a":"a\\u003cb\\u003e\\u0026c","z":"true"},"annotations":{"a":"2","b":"1"}},"spec":{}}',
  )
})
