/** One clear line per failure; the CLI never prints a stack trace for an operator error. */
export function formatError(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

export function exitCodeFor(_err: unknown): number {
  return 1
}
