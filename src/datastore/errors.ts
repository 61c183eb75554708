/** Typed datastore failures, so the CLI can print one clear line and pick an exit code. */

export class DatastoreError extends Error {
  override readonly name: string = 'DatastoreError'
}

export class NotFoundError extends DatastoreError {
  override readonly name = 'NotFoundError'
  constructor(readonly kind: string, readonly resourceName: string) {
    super(`resource does not exist: ${kind}(${resourceName})`)
  }
}

export class AlreadyExistsError extends DatastoreError {
  override readonly name = 'AlreadyExistsError'
  constructor(readonly kind: string, readonly resourceName: string) {
    super(`resource already exists: ${kind}(${resourceName})`)
  }
}

/** Compare-and-swap lost: somebody else wrote the key since we read it. */
export class ConflictError extends DatastoreError {
  override readonly name = 'ConflictError'
  constructor(readonly kind: string, readonly resourceName: string, readonly expectedRevision: string) {
    super(`update conflict: ${kind}(${resourceName}) was modified (expected resourceVersion ${expectedRevision}); re-read and retry`)
  }
}

/** etcd could not be reached within the configured bound. */
export class UnavailableError extends DatastoreError {
  override readonly name = 'UnavailableError'
  constructor(readonly endpoints: readonly string[], readonly timeoutMs: number, cause?: unknown) {
    super(
      `cannot reach the etcd datastore at ${endpoints.join(',')} within ${timeoutMs / 1000}s` +
        (cause instanceof Error && cause.message ? ` (${cause.message})` : ''),
    )
  }
}
