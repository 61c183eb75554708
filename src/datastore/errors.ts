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
  /**
   * `source` says where the endpoints came from (client config, environment, calico.env,
   * defaults): the usual cause of an unreachable etcd is a CLI that found no settings.
   */
  constructor(readonly endpoints: readonly string[], readonly timeoutMs: number, cause?: unknown, readonly source?: string) {
    const why = cause instanceof Error ? transportReason(cause.message) : ''
    super(
      `cannot reach the etcd datastore at ${endpoints.join(',')} within ${timeoutMs / 1000}s` +
        (why ? ` (${why})` : '') +
        (source ? `; endpoints from ${source}` : ''),
    )
  }
}

/**
 * grpc's text is for its developers ("14 UNAVAILABLE: No connection established. Last
 * error: Error: connect ECONNREFUSED 127.0.0.1:2379. Resolution note: "): keep the part
 * that names the failure.
 */
export function transportReason(message: string): string {
  let m = message.trim()
  m = m.replace(/^\d+ [A-Z_]+: /, '')
  m = m.replace(/\.?\s*Resolution note:.*$/s, '')
  const last = /Last error: (?:Error: )?(.*)$/s.exec(m)
  if (last) m = last[1]!
  return m.replace(/\.$/, '').trim()
}

/** etcd rejected the username/password (or the client certificate's identity). */
export class AuthenticationError extends DatastoreError {
  override readonly name = 'AuthenticationError'
  constructor(readonly endpoints: readonly string[], readonly username: string | undefined, cause?: unknown) {
    super(
      `etcd at ${endpoints.join(',')} rejected the credentials` +
        (username === undefined ? '' : ` of user "${username}"`) +
        ' (check ETCD_USERNAME / ETCD_PASSWORD)' +
        (cause instanceof Error && cause.message ? ` (${cause.message})` : ''),
    )
  }
}

/** Authenticated, but the etcd user's roles do not allow this request. */
export class PermissionDeniedError extends DatastoreError {
  override readonly name = 'PermissionDeniedError'
  constructor(readonly endpoints: readonly string[], readonly username: string | undefined) {
    super(
      `etcd at ${endpoints.join(',')} denied the request` +
        (username === undefined ? '' : ` for user "${username}"`) +
        ': grant the user a role with read/write access to /calico/',
    )
  }
}

/** A TLS file named in the settings could not be read. */
export class TlsFileError extends DatastoreError {
  override readonly name = 'TlsFileError'
  constructor(readonly what: string, readonly file: string, cause?: unknown) {
    super(`cannot read the etcd ${what} file "${file}"` + (cause instanceof Error ? `: ${cause.message}` : ''))
  }
}

/** A value stored in etcd does not parse or validate; it is reported, never used. */
export class InvalidValueError extends DatastoreError {
  override readonly name = 'InvalidValueError'
  constructor(readonly key: string, readonly field: string, readonly reason: string) {
    super(`invalid value at ${key}: ${field ? `${field}: ` : ''}${reason}`)
  }
}

/** Every block of the pool is claimed. */
export class PoolExhaustedError extends DatastoreError {
  override readonly name = 'PoolExhaustedError'
  constructor(readonly poolCidr: string, readonly blockSize: number) {
    super(`IP pool ${poolCidr} has no free /${blockSize} block left`)
  }
}

/** Releasing a block that still has addresses allocated would orphan them. */
export class BlockInUseError extends DatastoreError {
  override readonly name = 'BlockInUseError'
  constructor(readonly cidr: string, readonly allocated: number) {
    super(`block ${cidr} still has ${allocated} allocated address(es); release them first`)
  }
}
