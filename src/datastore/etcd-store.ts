import { randomUUID } from 'node:crypto'
import type { Etcd3, IKeyValue } from 'etcd3'
import { API_VERSION, type AnyResource, type BlockAffinity, type ResourceKind, type ResourceOfKind } from '../api/types.js'
import { validateKind } from '../api/validate/index.js'
import { silentLogger, type Logger } from '../log.js'
import type { DatastoreSettings } from '../settings/settings.js'
import {
  decodeResource,
  encodeResource,
  storedCreationMeta,
  withCreationMeta,
  withPreservedMeta,
  withResourceVersion,
} from './codec.js'
import { boundedKv, createEtcdClient, type BoundedKv } from './etcd-client.js'
import * as ipam from './etcd-ipam.js'
import { AlreadyExistsError, ConflictError, InvalidValueError, NotFoundError, UnavailableError } from './errors.js'
import { resourceKey, resourcePrefix } from './keys.js'
import { absent, deleteOp, getOp, modifiedAt, present, putOp, rangeOf, rangeResult } from './kv-ops.js'
import type { IpamStore, ResourceStore } from './store.js'
import { diagnoseTls } from './tls-diagnosis.js'

/** Read-modify-write rounds before an unconditional update gives up on a busy key. */
const MAX_ATTEMPTS = 10

/**
 * Calico v3 resources and IPAM affinities in etcd. Every request is bounded by the
 * settings' timeout; writes that depend on a read are compare-and-swap on the key's mod
 * revision (invariant 8 in docs/design.md). Resources are validated on the way in and on the way out.
 */
export class EtcdStore implements ResourceStore, IpamStore {
  private readonly kv: BoundedKv

  private constructor(
    /** The underlying client, e.g. for `startSyncer(store.client, …)`. */
    readonly client: Etcd3,
    readonly settings: DatastoreSettings,
    private readonly log: Logger,
    private readonly clock: () => Date,
  ) {
    this.kv = boundedKv(client, settings)
  }

  /** Connects and proves it with one round trip (reachability, TLS, credentials). */
  static async connect(settings: DatastoreSettings, log: Logger = silentLogger, clock: () => Date = () => new Date()): Promise<EtcdStore> {
    const started = Date.now()
    const client = createEtcdClient(settings)
    const store = new EtcdStore(client, settings, log, clock)
    try {
      await store.revision()
    } catch (e) {
      client.close()
      if (!(e instanceof UnavailableError)) throw e
      // Spend what is left of the bound on finding out why, if TLS is involved.
      const why = await diagnoseTls(settings, Math.min(2_000, started + settings.timeoutMs - Date.now()))
      throw why === undefined ? e : new UnavailableError(settings.endpoints, settings.timeoutMs, new Error(why), settings.source)
    }
    return store
  }

  /** The datastore's current revision. */
  async revision(): Promise<number> {
    const res = await this.kv.range(rangeOf('/calico/', { keysOnly: true }))
    return Number(res.header.revision)
  }

  async get<K extends ResourceKind>(kind: K, name: string, namespace?: string): Promise<ResourceOfKind<K> | undefined> {
    const res = await this.kv.range(rangeOf(resourceKey(kind, name, namespace)))
    const item = res.kvs[0]
    return item && decodeResource(kind, item)
  }

  /** Values that fail validation are logged and left out, so one bad value cannot hide the rest. */
  async list<K extends ResourceKind>(kind: K, namespace?: string): Promise<ResourceOfKind<K>[]> {
    const res = await this.kv.range(rangeOf(resourcePrefix(kind, namespace), { prefix: true }))
    const out: ResourceOfKind<K>[] = []
    for (const item of res.kvs) {
      try {
        out.push(decodeResource(kind, item))
      } catch (e) {
        if (!(e instanceof InvalidValueError)) throw e
        this.log.warn({ key: e.key, field: e.field, reason: e.reason }, `ignoring an invalid ${kind}`)
      }
    }
    return out
  }

  async create<R extends AnyResource>(resource: R): Promise<R> {
    const r = withCreationMeta(this.validated(resource), this.clock(), randomUUID())
    const key = keyOf(r)
    const res = await this.kv.txn({ compare: [absent(key)], success: [putOp(key, encodeResource(r))] })
    if (!res.succeeded) throw new AlreadyExistsError(r.kind, r.metadata.name)
    return withResourceVersion(r, res.header.revision)
  }

  async update<R extends AnyResource>(resource: R): Promise<R> {
    // The caller's resourceVersion, whatever the validator makes of the metadata.
    const expected = resource.metadata.resourceVersion
    const r = this.validated(resource)
    const key = keyOf(r)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.readKv(key)
      if (!current) throw new NotFoundError(r.kind, r.metadata.name)
      if (expected !== undefined && expected !== current.mod_revision) {
        throw new ConflictError(r.kind, r.metadata.name, expected)
      }
      const written = await this.replace(key, withPreservedMeta(r, storedCreationMeta(current.value)), current)
      if (written) return written
      if (expected !== undefined) {
        if (!(await this.readKv(key))) throw new NotFoundError(r.kind, r.metadata.name)
        throw new ConflictError(r.kind, r.metadata.name, expected)
      }
    }
    throw new ConflictError(r.kind, r.metadata.name, 'latest')
  }

  /** Create or overwrite; with a resourceVersion it is an update (compare-and-swap). */
  async apply<R extends AnyResource>(resource: R): Promise<R> {
    if (resource.metadata.resourceVersion !== undefined) return this.update(resource)
    const r = this.validated(resource)
    const key = keyOf(r)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.readKv(key)
      if (!current) {
        try {
          return await this.create(r)
        } catch (e) {
          if (e instanceof AlreadyExistsError) continue
          throw e
        }
      }
      const written = await this.replace(key, withPreservedMeta(r, storedCreationMeta(current.value)), current)
      if (written) return written
    }
    throw new ConflictError(r.kind, r.metadata.name, 'latest')
  }

  async delete<K extends ResourceKind>(
    kind: K,
    name: string,
    opts: { namespace?: string; resourceVersion?: string } = {},
  ): Promise<ResourceOfKind<K>> {
    const key = resourceKey(kind, name, opts.namespace)
    const rv = opts.resourceVersion
    const res = await this.kv.txn({
      compare: [rv === undefined ? present(key) : modifiedAt(key, rv)],
      success: [deleteOp(key)],
      failure: [getOp(key)],
    })
    if (!res.succeeded) {
      if (rangeResult(res, 0).length === 0) throw new NotFoundError(kind, name)
      throw new ConflictError(kind, name, rv ?? '')
    }
    const previous = res.responses[0]?.response_delete_range?.prev_kvs[0]
    if (!previous) throw new NotFoundError(kind, name)
    return this.decodeDeleted(kind, name, previous)
  }

  listAffinities(node?: string): Promise<BlockAffinity[]> {
    return ipam.listAffinities(this.kv, this.log, node)
  }

  claimAffinity(node: string, poolCidr: string, blockSize: number): Promise<BlockAffinity> {
    return ipam.claimAffinity(this.kv, node, poolCidr, blockSize)
  }

  releaseAffinity(node: string, cidr: string): Promise<void> {
    return ipam.releaseAffinity(this.kv, node, cidr)
  }

  async close(): Promise<void> {
    this.client.close()
  }

  // ---- internals ------------------------------------------------------------

  /** Nothing unvalidated is written either; the validator's normal form is what is stored. */
  private validated<R extends AnyResource>(resource: R): R {
    return validateKind(resource.kind, resource) as R
  }

  private async readKv(key: string): Promise<IKeyValue | undefined> {
    return (await this.kv.range(rangeOf(key))).kvs[0]
  }

  /** Overwrites `key` if it is still at `current`'s revision; undefined when it moved. */
  private async replace<R extends AnyResource>(key: string, r: R, current: IKeyValue): Promise<R | undefined> {
    const res = await this.kv.txn({ compare: [modifiedAt(key, current.mod_revision)], success: [putOp(key, encodeResource(r))] })
    return res.succeeded ? withResourceVersion(r, res.header.revision) : undefined
  }

  /**
   * The value just deleted, for the caller to show. An invalid value is still deleted
   * (that is how an operator cleans one up) and comes back as stored.
   */
  private decodeDeleted<K extends ResourceKind>(kind: K, name: string, kv: IKeyValue): ResourceOfKind<K> {
    try {
      return decodeResource(kind, kv)
    } catch (e) {
      if (!(e instanceof InvalidValueError)) throw e
      this.log.warn({ key: e.key, field: e.field, reason: e.reason }, `deleted an invalid ${kind}`)
      let raw: unknown
      try {
        raw = JSON.parse(kv.value.toString())
      } catch {
        raw = undefined
      }
      const stored = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Partial<AnyResource>
      return {
        ...stored,
        apiVersion: API_VERSION,
        kind,
        metadata: { ...stored.metadata, name, resourceVersion: kv.mod_revision },
      } as ResourceOfKind<K>
    }
  }
}

function keyOf(r: AnyResource): string {
  return resourceKey(r.kind, r.metadata.name, r.metadata.namespace)
}
