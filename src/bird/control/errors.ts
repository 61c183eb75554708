import type { FinalLine, ReplyLine } from './reply-line.js'

/** Every failure of the control-socket client. */
export class BirdControlError extends Error {
  override readonly name: string = 'BirdControlError'
  constructor(
    readonly socketPath: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** BIRD answered with an 8xxx (run-time) or 9xxx (parse) error, e.g. 8002 config error, 9001 syntax error. */
export class BirdCommandError extends BirdControlError {
  override readonly name = 'BirdCommandError'
  /** The error's reply code. */
  readonly code: number
  /**
   * The reply's lines up to and including the error line (for `stream`, the error line
   * only): a configure reply's "Reading configuration from …" comes before its 8002.
   */
  readonly lines: readonly ReplyLine[]

  constructor(
    socketPath: string,
    readonly command: string,
    final: FinalLine,
    lines: readonly ReplyLine[],
  ) {
    // BIRD's own text, e.g. "/etc/bird/bad.conf:60:3 syntax error"; the command is a property.
    super(socketPath, final.text)
    this.code = final.code
    this.lines = lines
  }

  /** 8xxx: BIRD could not do it; 9xxx: BIRD could not parse the command. */
  get kind(): 'runtime' | 'parse' {
    return this.code >= 9000 ? 'parse' : 'runtime'
  }
}

/**
 * No (complete) reply within the time allowed. The connection is dropped, since where the
 * stream stands is unknown; the next command opens a new one.
 */
export class BirdTimeoutError extends BirdControlError {
  override readonly name = 'BirdTimeoutError'
  constructor(
    socketPath: string,
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(socketPath, `BIRD did not answer "${command}" on ${socketPath} within ${timeoutMs} ms`)
  }
}

/**
 * Why BIRD could not be talked to: `missing` no socket file (BIRD not running), `refused`
 * a stale socket nobody listens on, `denied` no permission, `closed` the connection ended
 * before the reply did (BIRD stopped or restarted), `client-closed` `close()` was called,
 * `busy` the socket's queue of connections BIRD has not accepted yet is full (BIRD is hung
 * or overloaded: the kernel refuses at once what BIRD would not answer), `failed` any
 * other socket error.
 */
export type UnavailableReason = 'missing' | 'refused' | 'denied' | 'busy' | 'closed' | 'client-closed' | 'failed'

export class BirdUnavailableError extends BirdControlError {
  override readonly name = 'BirdUnavailableError'
  constructor(
    socketPath: string,
    readonly reason: UnavailableReason,
    readonly command: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(socketPath, unavailableMessage(socketPath, reason, command, options?.cause), options)
  }
}

/** BIRD sent something that is not its line protocol; the connection is dropped. */
export class BirdProtocolError extends BirdControlError {
  override readonly name = 'BirdProtocolError'
  constructor(
    socketPath: string,
    readonly line: string,
    reason: string,
  ) {
    super(socketPath, `unexpected data on BIRD control socket ${socketPath}: ${reason}: ${JSON.stringify(line.slice(0, 200))}`)
  }
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  ECONNREFUSED: 'Connection refused',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOTSOCK: 'Socket operation on non-socket',
  EAGAIN: 'Resource temporarily unavailable (BIRD is not accepting connections: hung or overloaded)',
}

function unavailableMessage(path: string, reason: UnavailableReason, command: string | undefined, cause: unknown): string {
  const what = command === undefined ? '' : ` (command "${command}")`
  switch (reason) {
    case 'closed':
      return `BIRD closed the control connection on ${path} before the reply ended${what}`
    case 'client-closed':
      return `the BIRD control client for ${path} was closed${what}`
    default: {
      // birdc's wording, which operators know: "Unable to connect to server control socket (PATH): …"
      const code = (cause as NodeJS.ErrnoException | undefined)?.code
      const text = (code !== undefined && ERRNO_TEXT[code]) || (cause instanceof Error ? cause.message : 'unknown error')
      return `Unable to connect to server control socket (${path}): ${text}`
    }
  }
}

export function reasonForErrno(code: string | undefined): UnavailableReason {
  switch (code) {
    case 'ENOENT':
      return 'missing'
    case 'ECONNREFUSED':
      return 'refused'
    case 'EACCES':
    case 'EPERM':
      return 'denied'
    case 'EAGAIN':
      return 'busy'
    default:
      return 'failed'
  }
}
