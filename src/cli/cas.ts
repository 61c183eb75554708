import type { ResourceKind, ResourceOfKind } from '../api/types.js'
import { AlreadyExistsError, ConflictError } from '../datastore/errors.js'
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
