import type { ResourceKind, ResourceOfKind } from '../api/types.js'
import { AlreadyExistsError, ConflictError, NotFoundError } from '../datastore/errors.js'
import type { ResourceStore } from '../datastore/store.js'

const ATTEMPTS = 5

/**
 * Read-modify-write of one resource with compare-and-swap (invariant 8 in docs/design.md): `change` gets what
 * is stored now (undefined when missing) and returns what should be stored. A concurrent
 * writer makes the create or the CAS update fail; the change is then re-applied to the
 * fresh value. `change` must be pure, it may run several times.
 */
export async function updateWithRetry<K extends ResourceKind>(
  store: ResourceStore,
  kind: K,
  name: string,
  change: (current: ResourceOfKind<K> | undefined) => ResourceOfKind<K>,
): Promise<ResourceOfKind<K>> {
  let lastError: unknown
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await store.get(kind, name)
    const next = change(current)
    try {
      if (current === undefined) return await store.create(next)
      const resourceVersion = current.metadata.resourceVersion
      return await store.update({ ...next, metadata: { ...next.metadata, ...(resourceVersion !== undefined && { resourceVersion }) } })
    } catch (err) {
      if (!(err instanceof ConflictError || err instanceof AlreadyExistsError)) throw err
      lastError = err
    }
  }
  throw lastError
}

/**
 * Read-modify-write of one existing resource (label, patch): `change` gets what is stored
 * now and returns what should be stored, or throws to refuse. The write is a
 * compare-and-swap on the revision that was read; when another writer got in between,
 * the change is made again on the fresh value (so its checks, e.g. "label already set",
 * see that writer's result) after a short jittered pause that keeps racing writers apart.
 * Returns undefined when the resource does not exist.
 */
export async function modifyExisting<K extends ResourceKind>(
  store: ResourceStore,
  kind: K,
  name: string,
  change: (current: ResourceOfKind<K>) => ResourceOfKind<K>,
  opts: { readonly attempts?: number } = {},
): Promise<{ readonly resource: ResourceOfKind<K>; readonly attempts: number } | undefined> {
  const attempts = opts.attempts ?? 10
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const current = await store.get(kind, name)
    if (current === undefined) return undefined
    const next = change(current)
    const resourceVersion = current.metadata.resourceVersion
    try {
      const resource = await store.update({ ...next, metadata: { ...next.metadata, ...(resourceVersion !== undefined && { resourceVersion }) } })
      return { resource, attempts: attempt }
    } catch (err) {
      if (err instanceof NotFoundError) return undefined
      if (!(err instanceof ConflictError)) throw err
      lastError = err
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * attempt))
    }
  }
  throw lastError
}
