import type { BGPConfiguration, BGPFilter, BGPPeer, BlockAffinity, IPPool, Node } from './types.js'

/**
 * A consistent view of the BGP-relevant datastore at one etcd revision.
 * Produced by the syncer only after the initial list completed (invariant 1 in docs/design.md);
 * consumed by the pure intent builder. Maps are keyed by resource name
 * (blocks by `<node>/<cidr>`), so lookups are O(1) and iteration order is
 * made deterministic by the consumer (sort by key), never by insertion order.
 */
export interface Snapshot {
  /** etcd revision this view is consistent at. */
  readonly revision: number
  readonly nodes: ReadonlyMap<string, Node>
  readonly bgpPeers: ReadonlyMap<string, BGPPeer>
  /** `default` and `node.<name>`. */
  readonly bgpConfigurations: ReadonlyMap<string, BGPConfiguration>
  readonly bgpFilters: ReadonlyMap<string, BGPFilter>
  readonly ipPools: ReadonlyMap<string, IPPool>
  /** Keyed by `<node>/<cidr>`. */
  readonly blockAffinities: ReadonlyMap<string, BlockAffinity>
  /**
   * Resources that were present in etcd but failed validation: reported, never used
   * (invariant 5 in docs/design.md). Keyed by etcd key.
   */
  readonly invalid: ReadonlyMap<string, { key: string; field: string; reason: string }>
}

export function emptySnapshot(revision = 0): Snapshot {
  return {
    revision,
    nodes: new Map(),
    bgpPeers: new Map(),
    bgpConfigurations: new Map(),
    bgpFilters: new Map(),
    ipPools: new Map(),
    blockAffinities: new Map(),
    invalid: new Map(),
  }
}
