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

/**
 * An error's text on one line, without a prefix (for embedding in another line, e.g. the
 * version command's "unknown (why)"); the CLI never prints a stack trace for an operator error.
 */
export function formatError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  // Messages from libraries sometimes carry an excerpt on further lines; the operator gets one line.
  return text.trim().split(/\s*\n\s*/).join(' ')
}

/**
 * THE ONE ERROR STYLE. Every failure a falconer command prints goes through errorLine, and
 * every such line starts with calicoctl's own words for it:
 *
 *   get                    Failed to get resources: <why>
 *   every other command    Failed to execute command: <why>
 *
 * The only other failure lines are the per-resource reports of create/apply/replace/delete
 * (print/outcomes.ts), again in calicoctl's shape: `Failed to create 'BGPPeer' resource: [<why>]`.
 * So a script can tell a falconer failure by `^Failed to `. Messages themselves (CliError
 * and every typed error) carry no prefix; usage errors from commander lose its "error: ".
 * test/unit/cli/error-style.test.ts checks src/cli for messages that bring their own prefix.
 */
export const GET_PREFIX = 'Failed to get resources'
export const COMMAND_PREFIX = 'Failed to execute command'

/** The prefix for a failure of the top-level command `name` (undefined: none was recognised). */
export function errorPrefix(name: string | undefined): string {
  return name === 'get' ? GET_PREFIX : COMMAND_PREFIX
}

export function errorLine(err: unknown, commandName: string | undefined): string {
  return `${errorPrefix(commandName)}: ${formatError(err).replace(/^error: /, '')}`
}

export function exitCodeFor(_err: unknown): number {
  return 1
}
