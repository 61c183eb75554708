import type { AnyResource, BlockAffinity, ResourceKind, ResourceOfKind } from '../api/types.js'

/**
 * The datastore contract the rest of falconer codes against. The etcd implementation
 * lives in ./etcd-store.ts. Every value returned carries metadata.resourceVersion = the
 * key's mod revision; `update` and `delete` with a resourceVersion are compare-and-swap
 * (invariant 8 in docs/design.md) and throw ConflictError when the key moved on.
 */
export interface ResourceStore {
  get<K extends ResourceKind>(kind: K, name: string, namespace?: string): Promise<ResourceOfKind<K> | undefined>
  list<K extends ResourceKind>(kind: K, namespace?: string): Promise<ResourceOfKind<K>[]>
  /** Throws AlreadyExistsError when the key exists. */
  create<R extends AnyResource>(resource: R): Promise<R>
  /** CAS on metadata.resourceVersion when set (ConflictError), NotFoundError when missing. */
  update<R extends AnyResource>(resource: R): Promise<R>
  /** Create or overwrite. */
  apply<R extends AnyResource>(resource: R): Promise<R>
  /** Returns the deleted resource; NotFoundError when missing; CAS when resourceVersion given. */
  delete<K extends ResourceKind>(
    kind: K,
    name: string,
    opts?: { namespace?: string; resourceVersion?: string },
  ): Promise<ResourceOfKind<K>>
  close(): Promise<void>
}

export interface IpamStore {
  /** All affinities, or those of one node. */
  listAffinities(node?: string): Promise<BlockAffinity[]>
  /**
   * Claim a block for `node` from the CIDR `poolCidr` with the given block size: an existing
   * confirmed affinity of this node inside the pool is returned as is; otherwise the first
   * free block is claimed with a transaction that fails if anyone else took it (retry).
   */
  claimAffinity(node: string, poolCidr: string, blockSize: number): Promise<BlockAffinity>
  releaseAffinity(node: string, cidr: string): Promise<void>
}
