/**
 * How a one-shot command ends. Kept apart from context.ts (settings, logger, datastore) so
 * main.ts can use it without loading any of those.
 */

let exitWhenDone = false

/**
 * A one-shot command that talked to etcd is finished once its action returns, but grpc may
 * keep a half-open connection to a dead or silent endpoint alive for seconds after the
 * client was closed. main() ends such commands explicitly instead of waiting for that.
 */
export function shouldExitWhenDone(): boolean {
  return exitWhenDone
}

export function exitWhenDoneFromNowOn(): void {
  exitWhenDone = true
}

/**
 * `falconer get bgppeers | head` closes the pipe early: that is the reader being done, not
 * a failure worth a stack trace. Stop quietly, as other Unix tools do.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
}

/** Resolves once everything written so far has been handed to the OS. */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()))
}
