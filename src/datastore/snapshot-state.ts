import { emptySnapshot, type Snapshot } from '../api/snapshot.js'
import type { AnyResource } from '../api/types.js'
import { formatCidr } from './cidr.js'
import { decodeAffinity, decodeResource } from './codec.js'
import { InvalidValueError } from './errors.js'
import { IPAM_HOST_ROOT, parseKey, prefixRangeEnd, resourceKey, resourcePrefix } from './keys.js'

/**
 * Pure snapshot arithmetic for the syncer: (snapshot N, changes) → snapshot N+1.
 * Snapshots are never mutated; only the maps a batch touches are copied.
 */

/** A put carries the new value; a delete carries none. */
export interface KeyChange {
  readonly key: string
  readonly value?: Buffer
  readonly modRevision: string
}

/** The BGP-relevant prefixes, in key order. */
export const SYNCED_PREFIXES: readonly string[] = [
  IPAM_HOST_ROOT,
  resourcePrefix('BGPConfiguration'),
  resourcePrefix('BGPFilter'),
  resourcePrefix('BGPPeer'),
  resourcePrefix('IPPool'),
  resourcePrefix('Node'),
]

/**
 * One contiguous key range covering every synced prefix. A single watch over it keeps
 * etcd's per-watcher ordering across kinds (separate watchers may deliver revisions out
 * of order while catching up); keys in between are filtered out client-side.
 */
export const SYNCED_RANGE: { readonly start: Buffer; readonly end: Buffer } = {
  start: Buffer.from(SYNCED_PREFIXES[0]!),
  end: prefixRangeEnd(SYNCED_PREFIXES[SYNCED_PREFIXES.length - 1]!),
}

export function isSyncedKey(key: string): boolean {
  return SYNCED_PREFIXES.some((p) => key.startsWith(p))
}

/**
 * Resources already decoded from this datastore, by key: the Nodes startup listed moments
 * before the agent's initial list. A key listed at the revision a known resource carries
 * (its resourceVersion) holds the bytes that resource was decoded from, so it is taken as
 * is rather than parsed and validated again; any other revision is decoded as usual.
 */
export type KnownResources = ReadonlyMap<string, AnyResource>

type MapName = Exclude<keyof Snapshot, 'revision'>

interface Slot {
  readonly map: Exclude<MapName, 'invalid'>
  readonly id: string
  decode(change: KeyChange & { value: Buffer }): unknown
}

/** Where a synced key lands in a snapshot; undefined when its key is malformed. */
function slotOf(key: string): Slot | undefined {
  const parsed = parseKey(key)
  if (parsed?.type === 'affinity') {
    return {
      map: 'blockAffinities',
      id: `${parsed.node}/${formatCidr(parsed.cidr)}`,
      decode: (c) => decodeAffinity(parsed.node, parsed.cidr, { key: c.key, value: c.value, mod_revision: c.modRevision }),
    }
  }
  if (parsed?.type !== 'resource') return undefined
  const map = (
    { Node: 'nodes', BGPPeer: 'bgpPeers', BGPConfiguration: 'bgpConfigurations', BGPFilter: 'bgpFilters', IPPool: 'ipPools' } as const
  )[parsed.kind as 'Node' | 'BGPPeer' | 'BGPConfiguration' | 'BGPFilter' | 'IPPool']
  if (map === undefined) return undefined
  return {
    map,
    id: parsed.name,
    decode: (c) => decodeResource(parsed.kind, { key: c.key, value: c.value, mod_revision: c.modRevision }),
  }
}

/** The state after `changes` (in revision order) on top of `prev`, at `revision`. */
export function applyChanges(prev: Snapshot, changes: Iterable<KeyChange>, revision: number, known?: KnownResources): Snapshot {
  const draft = new Draft(prev)
  for (const change of changes) {
    const { key } = change
    if (!isSyncedKey(key)) continue
    const slot = slotOf(key)
    if (slot) draft.delete(slot.map, slot.id)
    draft.delete('invalid', key)
    if (change.value === undefined) continue
    if (!slot) {
      draft.set('invalid', key, { key, field: '', reason: "the key does not match Calico's layout" })
      continue
    }
    const reuse = known?.get(key)
    if (reuse !== undefined && reuse.metadata.resourceVersion === change.modRevision) {
      draft.set(slot.map, slot.id, reuse)
      continue
    }
    try {
      const value = slot.decode({ ...change, value: change.value })
      if (value !== undefined) draft.set(slot.map, slot.id, value)
    } catch (e) {
      if (!(e instanceof InvalidValueError)) throw e
      draft.set('invalid', key, { key, field: e.field, reason: e.reason })
    }
  }
  return draft.finish(revision)
}

/** A snapshot of exactly these key/values (a full list) at `revision`. */
export function snapshotOf(kvs: Iterable<KeyChange>, revision: number, known?: KnownResources): Snapshot {
  return applyChanges(emptySnapshot(revision), kvs, revision, known)
}

/** `resources` (as decoded by the store, with their resourceVersion) by their etcd key. */
export function knownByKey(resources: Iterable<AnyResource>): KnownResources {
  const out = new Map<string, AnyResource>()
  for (const r of resources) {
    if (r.metadata.resourceVersion !== undefined) out.set(resourceKey(r.kind, r.metadata.name, r.metadata.namespace), r)
  }
  return out
}

/** Copy-on-write over a snapshot's maps. */
class Draft {
  private readonly copies = new Map<MapName, Map<string, unknown>>()

  constructor(private readonly base: Snapshot) {}

  delete(name: MapName, id: string): void {
    if (this.current(name).has(id)) this.writable(name).delete(id)
  }

  set(name: MapName, id: string, value: unknown): void {
    this.writable(name).set(id, value)
  }

  finish(revision: number): Snapshot {
    return Object.freeze({ ...this.base, ...Object.fromEntries(this.copies), revision }) as Snapshot
  }

  private current(name: MapName): ReadonlyMap<string, unknown> {
    return this.copies.get(name) ?? this.base[name]
  }

  private writable(name: MapName): Map<string, unknown> {
    let copy = this.copies.get(name)
    if (!copy) {
      copy = new Map<string, unknown>(this.base[name] as ReadonlyMap<string, unknown>)
      this.copies.set(name, copy)
    }
    return copy
  }
}
