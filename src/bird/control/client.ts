import type { Logger } from '../../log.js'
import { BirdConnection, type ReplySink } from './connection.js'
import { BirdCommandError, BirdControlError, BirdTimeoutError, BirdUnavailableError } from './errors.js'
import { LineStream } from './line-stream.js'
import { isErrorCode, type ReplyLine } from './reply-line.js'

export const DEFAULT_TIMEOUT_MS = 5_000

export interface BirdControlOptions {
  /** e.g. /var/run/calico/bird.ctl */
  readonly socketPath: string
  /** Per command; see `request` and `stream`. Default 5000. */
  readonly timeoutMs?: number
  readonly log?: Logger
  /** Unsolicited "+…" messages (log echo, "Config timeout expired, starting undo"). */
  readonly onAsync?: (text: string) => void
}

export interface RequestOptions {
  readonly timeoutMs?: number
}

/** A complete successful reply. */
export interface BirdReply {
  readonly command: string
  /** The final line's code, e.g. 0 for "0000", 13 for `show status`, 3 for "Reconfigured". */
  readonly code: number
  /** Every line, the final one included. */
  readonly lines: readonly ReplyLine[]
}

/** A line of a reply (never an async one: those go to `onAsync`). */
export type ReplyPart = Exclude<ReplyLine, { kind: 'async' }>

interface Job extends ReplySink {
  readonly command: string
  readonly timeoutMs: number
  /** Streams time out on silence rather than on total duration. */
  readonly idle: { readonly received: number; readonly paused: boolean } | undefined
  attach(conn: BirdConnection): void
}

/**
 * BIRD's control socket, spoken natively. Commands queue FIFO and go one at a time over
 * one persistent connection, opened lazily and re-opened after it drops or times out.
 * Errors are typed: BirdCommandError (8xxx/9xxx), BirdTimeoutError, BirdUnavailableError,
 * BirdProtocolError. A command whose connection is lost is failed, never re-sent: BIRD may
 * already have acted on it (think `configure`); retrying is the caller's decision.
 */
export class BirdControl {
  readonly socketPath: string
  readonly #timeoutMs: number
  readonly #log: Logger | undefined
  readonly #onAsync: ((text: string) => void) | undefined
  readonly #queue: Job[] = []
  #active: Job | undefined
  #timer: NodeJS.Timeout | undefined
  #conn: BirdConnection | undefined
  #closed = false
  #greeting: string | undefined

  constructor(opts: BirdControlOptions) {
    this.socketPath = opts.socketPath
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#log = opts.log
    this.#onAsync = opts.onAsync
  }

  /** The last greeting BIRD sent, e.g. "BIRD 1.6.8 ready."; undefined before the first connection. */
  get greeting(): string | undefined {
    return this.#greeting
  }

  /**
   * Runs a command and resolves with all of its reply. The timeout covers the whole reply,
   * from the moment the command reaches the head of the queue (connecting included).
   */
  request(command: string, opts: RequestOptions = {}): Promise<BirdReply> {
    return new Promise<BirdReply>((resolve, reject) => {
      const lines: ReplyLine[] = []
      const path = this.socketPath
      this.#enqueue({
        command,
        timeoutMs: opts.timeoutMs ?? this.#timeoutMs,
        idle: undefined,
        attach() {},
        line(line) {
          lines.push(line)
          if (line.kind !== 'final') return
          if (isErrorCode(line.code)) reject(new BirdCommandError(path, command, line, lines))
          else resolve({ command, code: line.code, lines })
        },
        fail: reject,
      })
    })
  }

  /**
   * Runs a command and yields its reply's lines as they arrive, the final one included;
   * an 8xxx/9xxx final line throws BirdCommandError instead. The command is queued when
   * iteration starts (each iteration runs it again). Reading pauses while the consumer is
   * behind, so memory does not grow with the reply. The timeout is on silence: it fires
   * when BIRD sends nothing for about `timeoutMs` while the consumer keeps up. Leaving the
   * loop early drops the connection (the rest of the reply is unwanted).
   */
  stream(command: string, opts: RequestOptions = {}): AsyncIterable<ReplyPart> {
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<ReplyPart> => this.#startStream(command, opts),
    }
  }

  /**
   * `stream`, handing out lines in batches: each step yields every line that has arrived
   * and was not read yet (typically one socket read, up to a few thousand lines), so a
   * big reply (`show route all`) costs one awaited promise per batch instead of per line.
   * Same queueing, throttling (memory stays flat), timeout and errors as `stream`.
   */
  streamBatches(command: string, opts: RequestOptions = {}): AsyncIterable<readonly ReplyPart[]> {
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<readonly ReplyPart[]> => {
        const stream = this.#startStream(command, opts)
        return {
          next: () => stream.nextBatch(),
          return: async () => {
            await stream.return()
            return { value: undefined, done: true }
          },
        }
      },
    }
  }

  #startStream(command: string, opts: RequestOptions): LineStream {
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs
    let job: Job | undefined
    const stream = new LineStream(this.socketPath, command, () => {
      if (job !== undefined) this.#abandon(job)
    })
    job = {
      command,
      timeoutMs,
      get idle() {
        return stream
      },
      attach: (conn) => stream.attach(conn),
      line: (line) => stream.line(line),
      fail: (err) => stream.fail(err),
    }
    this.#enqueue(job)
    return stream
  }

  /** Fails whatever is queued or in flight and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const job of this.#queue.splice(0)) job.fail(new BirdUnavailableError(this.socketPath, 'client-closed', job.command))
    const active = this.#active
    if (active !== undefined) {
      this.#release(active)
      active.fail(new BirdUnavailableError(this.socketPath, 'client-closed', active.command))
    }
    const conn = this.#conn
    this.#conn = undefined
    if (conn !== undefined) {
      conn.destroy()
      await conn.gone
    }
  }

  #enqueue(job: Job): void {
    // A newline would smuggle a second command past the one-at-a-time framing.
    if (/[\r\n]/.test(job.command)) {
      return job.fail(new BirdControlError(this.socketPath, `a BIRD command is one line: ${JSON.stringify(job.command)}`))
    }
    if (this.#closed) return job.fail(new BirdUnavailableError(this.socketPath, 'client-closed', job.command))
    this.#queue.push(job)
    this.#pump()
  }

  #pump(): void {
    if (this.#active !== undefined || this.#closed) return
    const job = this.#queue.shift()
    if (job === undefined) return
    this.#active = job
    this.#arm(job)
    const conn = this.#connection()
    job.attach(conn)
    // The connection reports the reply to this wrapper, which frees the queue first.
    const sink: ReplySink = {
      line: (line) => {
        if (line.kind === 'final') this.#release(job)
        job.line(line)
      },
      fail: (err) => {
        if (this.#active !== job) return
        this.#release(job)
        job.fail(err)
      },
    }
    if (conn.greeted) return conn.send(job.command, sink)
    conn.ready.then(
      (greeting) => {
        this.#greeting = greeting
        if (this.#active === job) conn.send(job.command, sink)
      },
      (err: BirdControlError) => sink.fail(err),
    )
  }

  #connection(): BirdConnection {
    if (this.#conn !== undefined && !this.#conn.closed) return this.#conn
    this.#log?.debug({ socket: this.socketPath, reconnect: this.#conn !== undefined }, 'connecting to BIRD control socket')
    this.#conn = new BirdConnection(this.socketPath, { onAsync: this.#onAsync, log: this.#log })
    return this.#conn
  }

  /** The job no longer holds the connection: stop its timer and let the next one go. */
  #release(job: Job): void {
    if (this.#active !== job) return
    this.#active = undefined
    clearTimeout(this.#timer)
    this.#timer = undefined
    queueMicrotask(() => this.#pump())
  }

  #arm(job: Job): void {
    let seen = job.idle?.received
    const fire = (): void => {
      if (this.#active !== job) return
      const idle = job.idle
      if (idle !== undefined && (idle.paused || idle.received !== seen)) {
        seen = idle.received
        this.#timer = setTimeout(fire, job.timeoutMs)
        return
      }
      const err = new BirdTimeoutError(this.socketPath, job.command, job.timeoutMs)
      this.#log?.warn({ socket: this.socketPath, command: job.command, timeoutMs: job.timeoutMs }, 'BIRD command timed out; dropping the connection')
      this.#release(job)
      // Where the reply stands is unknown: this connection cannot carry another command.
      this.#conn?.destroy(err)
      job.fail(err)
    }
    this.#timer = setTimeout(fire, job.timeoutMs)
  }

  /** A stream's consumer left before the reply ended: discard the rest with the connection. */
  #abandon(job: Job): void {
    if (this.#active === job) {
      this.#release(job)
      this.#conn?.destroy()
      return
    }
    const queued = this.#queue.indexOf(job)
    if (queued >= 0) this.#queue.splice(queued, 1)
  }
}
