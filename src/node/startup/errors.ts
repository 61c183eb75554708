/**
 * Why `node run` refused to start. The message is the one line an operator reads (it is
 * printed as calico/node prints its fatal lines); `hint` lines follow it when there is a
 * way out. Exit status 1.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError'
  constructor(
    message: string,
    /** Follow-up lines, each printed as ` -  text`. */
    readonly hints: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** A flag or environment value of `node run` is wrong; nothing was touched. */
export class NodeRunConfigError extends Error {
  override readonly name = 'NodeRunConfigError'
}
