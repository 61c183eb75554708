import { createConnection, type Socket } from 'node:net'
import type { Logger } from '../../log.js'
import { BirdControlError, BirdProtocolError, BirdUnavailableError, reasonForErrno } from './errors.js'
import { LineSplitter, LineTooLongError } from './line-splitter.js'
import { parseReplyLine, type ReplyLine } from './reply-line.js'

/** Receives the lines of the one reply in flight. */
export interface ReplySink {
  /** A line of the reply; after the `final` one the sink is detached. */
  line(line: Exclude<ReplyLine, { kind: 'async' }>): void
  fail(err: BirdControlError): void
}

export interface ConnectionHandlers {
  readonly onAsync: ((text: string) => void) | undefined
  readonly log: Logger | undefined
}

/**
 * One connection to BIRD's control socket: waits for the 0001 greeting, then carries one
 * command at a time and hands the reply's lines to that command's sink. It never retries:
 * once closed it stays closed and the client opens another.
 */
export class BirdConnection {
  /** Resolves with BIRD's greeting text ("BIRD 1.6.8 ready.") once it has arrived. */
  readonly ready: Promise<string>
  /** Resolves once the socket is fully closed. */
  readonly gone: Promise<void>
  readonly #socket: Socket
  readonly #splitter = new LineSplitter()
  readonly #path: string
  readonly #handlers: ConnectionHandlers
  #greeted = false
  #sink: ReplySink | undefined
  #command: string | undefined
  #closed = false
  readonly #resolveReady: (greeting: string) => void
  #rejectReady: ((err: BirdControlError) => void) | undefined

  constructor(path: string, handlers: ConnectionHandlers) {
    this.#path = path
    this.#handlers = handlers
    let resolveReady!: (greeting: string) => void
    this.ready = new Promise<string>((resolve, reject) => {
      resolveReady = resolve
      this.#rejectReady = reject
    })
    // A failed connect that nobody awaits any more (timed out) must not become an unhandled rejection.
    this.ready.catch(() => {})
    this.#resolveReady = resolveReady
    this.#socket = createConnection({ path })
    this.#socket.on('data', (chunk: Buffer) => this.#data(chunk))
    this.#socket.on('error', (err: NodeJS.ErrnoException) => this.#error(err))
    this.gone = new Promise((resolve) => this.#socket.once('close', () => resolve()))
    this.#socket.on('close', () => this.#ended())
  }

  get closed(): boolean {
    return this.#closed
  }

  get greeted(): boolean {
    return this.#greeted
  }

  /** Sends a command; the reply's lines go to `sink`. Only one command may be in flight. */
  send(command: string, sink: ReplySink): void {
    if (this.#closed) return sink.fail(new BirdUnavailableError(this.#path, 'closed', command))
    if (this.#sink !== undefined) throw new Error(`BirdConnection: "${command}" sent while "${this.#command}" is in flight`)
    this.#sink = sink
    this.#command = command
    this.#socket.write(`${command}\n`)
  }

  /** Stops reading (the kernel buffer fills and BIRD waits): backpressure from a slow consumer. */
  pause(): void {
    this.#socket.pause()
  }

  resume(): void {
    if (!this.#closed) this.#socket.resume()
  }

  /** Closes the connection; a reply in flight fails with `err` (if given), else as `closed`. */
  destroy(err?: BirdControlError): void {
    this.#close(err ?? new BirdUnavailableError(this.#path, 'closed', this.#command))
  }

  #data(chunk: Buffer): void {
    try {
      this.#splitter.push(chunk, this.#lineHandler)
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err
      this.#close(new BirdProtocolError(this.#path, '', err.message))
    }
  }

  readonly #lineHandler = (raw: string): void => {
    if (this.#closed) return
    const line = parseReplyLine(raw)
    if (line === undefined) return this.#close(new BirdProtocolError(this.#path, raw, 'not a reply line'))
    if (line.kind === 'async') {
      this.#handlers.log?.debug({ socket: this.#path, message: line.text }, 'BIRD async message')
      this.#handlers.onAsync?.(line.text)
      return
    }
    if (!this.#greeted) {
      if (line.kind !== 'final' || line.code !== 1) {
        return this.#close(new BirdProtocolError(this.#path, raw, 'expected the 0001 greeting'))
      }
      this.#greeted = true
      this.#resolveReady(line.text)
      return
    }
    const sink = this.#sink
    if (sink === undefined) return this.#close(new BirdProtocolError(this.#path, raw, 'a line with no command in flight'))
    if (line.kind === 'final') {
      // Detach first: the sink may send the next command from inside line().
      this.#sink = undefined
      this.#command = undefined
    }
    sink.line(line)
  }

  #error(err: NodeJS.ErrnoException): void {
    if (this.#greeted || this.#sink !== undefined) {
      this.#close(new BirdUnavailableError(this.#path, 'closed', this.#command, { cause: err }))
    } else {
      this.#close(new BirdUnavailableError(this.#path, reasonForErrno(err.code), undefined, { cause: err }))
    }
  }

  #ended(): void {
    this.#close(new BirdUnavailableError(this.#path, 'closed', this.#command))
  }

  #close(err: BirdControlError): void {
    if (this.#closed) return
    this.#closed = true
    this.#socket.destroy()
    const sink = this.#sink
    this.#sink = undefined
    this.#command = undefined
    if (!this.#greeted) this.#rejectReady?.(err)
    if (err instanceof BirdProtocolError) this.#handlers.log?.warn({ err }, 'dropping BIRD control connection')
    sink?.fail(err)
  }
}
