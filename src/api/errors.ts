/**
 * A resource or input failed validation. `path` names the field the way an operator
 * reads a manifest (`spec.peerIP`, `spec.communities[1].value`), `reason` says why.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError'
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason)
  }
}
