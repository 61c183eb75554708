/**
 * A reply that lacked a line its result cannot do without (for example a `show status`
 * without "Router ID is …"). Unknown lines never cause this; they are skipped.
 */
export class IncompleteReplyError extends Error {
  override readonly name = 'IncompleteReplyError'
  constructor(
    readonly reply: string,
    readonly missing: readonly string[],
  ) {
    super(`incomplete BIRD "${reply}" reply: missing ${missing.join(', ')}`)
  }
}
