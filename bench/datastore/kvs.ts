import type { Snapshot } from '../../src/api/snapshot.js'
import type { KeyChange } from '../../src/datastore/snapshot-state.js'
import type { Product } from '../lib/product.js'
import type { SyntheticDatastore } from './synthetic.js'

/** One etcd key/value exactly as Calico (and falconer) store it. */
export interface StoredPair {
  readonly key: string
  readonly value: string
}

/** Every key of the datastore, encoded by the product's own codec and key layout. */
export function storedPairs(p: Product, ds: SyntheticDatastore): StoredPair[] {
  const pairs: StoredPair[] = []
  for (const r of [ds.config, ...ds.pools, ...ds.nodes, ...ds.peers]) {
    pairs.push({ key: p.resourceKey(r.kind, r.metadata.name), value: p.encodeResource(r) })
  }
  for (const b of ds.blocks) pairs.push({ key: p.affinityKey(b.node, p.parseCidr(b.cidr)), value: p.encodeAffinity('confirmed') })
  return pairs
}

/** What the syncer's initial list hands to `snapshotOf`: Buffers, as etcd3 returns them. */
export function listedChanges(pairs: readonly StoredPair[], revision: number): KeyChange[] {
  const rev = String(revision)
  return pairs.map((kv) => ({ key: kv.key, value: Buffer.from(kv.value), modRevision: rev }))
}

/**
 * The syncer's path from a full list to a Snapshot (decode + validate every value). Each
 * call makes new objects, so nothing memoised on an earlier snapshot's objects is reused.
 */
export function listSnapshot(p: Product, changes: readonly KeyChange[], revision: number): Snapshot {
  return p.snapshotOf(changes, revision)
}
