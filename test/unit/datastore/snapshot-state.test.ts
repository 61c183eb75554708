import t from 'tap'
import { emptySnapshot } from '../../../src/api/snapshot.js'
import { encodeResource } from '../../../src/datastore/codec.js'
import { resourceKey } from '../../../src/datastore/keys.js'
import { applyChanges, isSyncedKey, knownByKey, snapshotOf, SYNCED_PREFIXES, SYNCED_RANGE, type KeyChange } from '../../../src/datastore/snapshot-state.js'
import { decodeResource } from '../../../src/datastore/codec.js'
import type { AnyResource } from '../../../src/api/types.js'
import { bgpConfiguration, bgpPeer, calicoNodeStatus, ipPool, node } from '../../integration/datastore/fixtures.js'

const put = (r: AnyResource, rev: number): KeyChange => ({
  key: resourceKey(r.kind, r.metadata.name, r.metadata.namespace),
  value: Buffer.from(encodeResource(r)),
  modRevision: String(rev),
})
const raw = (key: string, value: string, rev: number): KeyChange => ({ key, value: Buffer.from(value), modRevision: String(rev) })
const del = (key: string, rev: number): KeyChange => ({ key, modRevision: String(rev) })
const AFF = '/calico/ipam/v2/host/n1/ipv4/block/10.0.0.0-26'

t.test('a list becomes a snapshot of the BGP-relevant kinds', async (t) => {
  const s = snapshotOf(
    [
      put(node('n1'), 2),
      put(bgpPeer('p1'), 3),
      put(bgpConfiguration(), 4),
      put(ipPool(), 5),
      raw(AFF, '{"state":"confirmed"}', 6),
      put(calicoNodeStatus(), 7),
    ],
    9,
  )
  t.equal(s.revision, 9)
  t.same([...s.nodes.keys()], ['n1'])
  t.equal(s.nodes.get('n1')?.metadata.resourceVersion, '2')
  t.same([...s.bgpPeers.keys()], ['p1'])
  t.same([...s.bgpConfigurations.keys()], ['default'])
  t.same([...s.ipPools.keys()], ['default-ipv4-ippool'])
  t.same(s.blockAffinities.get('n1/10.0.0.0/26'), { node: 'n1', cidr: '10.0.0.0/26', state: 'confirmed' })
  t.equal(s.invalid.size, 0, 'status objects are not synced')
  t.ok(Object.isFrozen(s))
})

t.test('changes apply on top, copy-on-write, never mutating the previous snapshot', async (t) => {
  const s1 = snapshotOf([put(node('n1'), 2), put(bgpPeer('p1'), 3)], 3)
  const s2 = applyChanges(s1, [put(node('n2', '10.99.0.2'), 4), del(resourceKey('BGPPeer', 'p1'), 4)], 4)
  t.same([...s1.nodes.keys()], ['n1'], 'old snapshot untouched')
  t.same([...s1.bgpPeers.keys()], ['p1'])
  t.same([...s2.nodes.keys()].sort(), ['n1', 'n2'])
  t.equal(s2.bgpPeers.size, 0)
  t.equal(s2.revision, 4)
  t.equal(s2.ipPools, s1.ipPools, 'untouched maps are shared')
  t.not(s2.nodes, s1.nodes)
})

t.test('invalid values go to invalid, never into the maps, and leave again when fixed or deleted', async (t) => {
  const key = resourceKey('BGPPeer', 'p1')
  const s1 = snapshotOf([put(bgpPeer('p1'), 2)], 2)
  const s2 = applyChanges(s1, [raw(key, JSON.stringify({ ...bgpPeer('p1'), spec: { peerIP: 'nope', asNumber: 1 } }), 3)], 3)
  t.equal(s2.bgpPeers.size, 0, 'the previously valid value is gone too')
  t.match(s2.invalid.get(key), { key, field: 'spec.peerIP' })
  const s3 = applyChanges(s2, [put(bgpPeer('p1'), 4)], 4)
  t.equal(s3.invalid.size, 0)
  t.equal(s3.bgpPeers.get('p1')?.metadata.resourceVersion, '4')
  const s4 = applyChanges(s3, [raw(key, '{', 5)], 5)
  const s5 = applyChanges(s4, [del(key, 6)], 6)
  t.equal(s4.invalid.size, 1)
  t.equal(s5.invalid.size, 0)
  t.equal(s5.bgpPeers.size, 0)
  const s6 = applyChanges(s5, [raw(AFF, '{"state":"bogus"}', 7), raw('/calico/ipam/v2/host/n1/ipv4/block/x', '{}', 7)], 7)
  t.match(s6.invalid.get(AFF), { field: 'value.state' })
  t.match(s6.invalid.get('/calico/ipam/v2/host/n1/ipv4/block/x'), { reason: /layout/ })
  t.equal(s6.blockAffinities.size, 0)
})

t.test('the watch range covers exactly the synced prefixes plus keys in between', async (t) => {
  for (const p of SYNCED_PREFIXES) {
    t.ok(Buffer.compare(Buffer.from(p), SYNCED_RANGE.start) >= 0 && Buffer.compare(Buffer.from(`${p}zzz`), SYNCED_RANGE.end) < 0, p)
  }
  t.ok(isSyncedKey(resourceKey('Node', 'x')))
  t.notOk(isSyncedKey(resourceKey('CalicoNodeStatus', 'x')))
  t.notOk(isSyncedKey('/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26'))
  t.equal(applyChanges(emptySnapshot(1), [put(calicoNodeStatus(), 2)], 2).invalid.size, 0)
})

t.test('BGPFilters are synced: a valid one lands in bgpFilters, an invalid one is reported', async (t) => {
  const filter: AnyResource = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'BGPFilter',
    metadata: { name: 'f1' },
    spec: { exportV4: [{ action: 'Reject', matchOperator: 'In', cidr: '10.0.0.0/8' }] },
  }
  const key = resourceKey('BGPFilter', 'f1')
  t.equal(key, '/calico/resources/v3/projectcalico.org/bgpfilters/f1')
  t.ok(isSyncedKey(key))
  const s = snapshotOf([put(filter, 2), raw(resourceKey('BGPFilter', 'bad'), '{"apiVersion":"projectcalico.org/v3","kind":"BGPFilter","metadata":{"name":"bad"},"spec":{"exportV4":[{"action":"Drop"}]}}', 3)], 4)
  t.same([...s.bgpFilters.keys()], ['f1'])
  t.match(s.invalid.get(resourceKey('BGPFilter', 'bad')), { field: 'spec.exportV4[0].action' })
})

t.test('resources startup already decoded are taken as they are at their own revision, decoded again at any other', async (t) => {
  const n1 = put(node('n1'), 2)
  const n2 = put(node('n2', '10.99.0.2'), 3)
  const decoded = (c: KeyChange) => decodeResource('Node', { key: c.key, value: c.value!, mod_revision: c.modRevision })
  const first = decoded(n1)
  // What startup listed: n1 as it still is, n2 at an older revision with another address.
  const stale = decoded(put(node('n2', '10.99.0.9'), 1))
  const known = knownByKey([first, stale])
  t.same([...known.keys()], [resourceKey('Node', 'n1'), resourceKey('Node', 'n2')])

  const list = [n1, n2, put(bgpPeer('p1'), 4)]
  const plain = snapshotOf(list, 5)
  const shared = snapshotOf(list, 5, known)
  t.same(shared, plain, 'the same snapshot as decoding everything')
  t.equal(shared.nodes.get('n1'), first, 'n1, unchanged since startup read it, is that very object')
  t.not(shared.nodes.get('n2'), stale, 'n2 changed since (another revision): decoded from the listed value')
  t.equal(shared.nodes.get('n2')?.spec.bgp?.ipv4Address, node('n2', '10.99.0.2').spec.bgp?.ipv4Address)
  t.equal(shared.nodes.get('n2')?.metadata.resourceVersion, '3')

  // A listed value that is no longer valid is reported as invalid whatever startup saw.
  const broken = raw(resourceKey('Node', 'n1'), '{"kind":"Node"}', 6)
  const s = snapshotOf([broken], 6, known)
  t.equal(s.nodes.size, 0)
  t.ok(s.invalid.has(broken.key))
})
