/**
 * A mistake by the operator (bad argument, unknown kind, peer not found): the message is
 * printed as the one line the command fails with, exit status 1.
 */
export class CliError extends Error {
  override readonly name = 'CliError'
}

/**
 * The command already printed why it failed (e.g. one line per failed resource of a
 * manifest); main only sets the exit status.
 */
export class ReportedError extends Error {
  override readonly name = 'ReportedError'
  constructor(readonly failures: number) {
    super(`${failures} failure(s) reported`)
  }
}

/** A validator's reason, with the operator's value in front unless the reason already quotes it. */
export function naming(value: string, reason: string): string {
  return reason.includes(value) ? reason : `'${value}': ${reason}`
}

/** One clear line per failure; the CLI never prints a stack trace for an operator error. */
export function formatError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  // Messages from libraries sometimes carry an excerpt on further lines; the operator gets one line.
  return text.trim().split(/\s*\n\s*/).join(' ')
}

export function exitCodeFor(_err: unknown): number {
  return 1
}
