import { BirdCommandError, type BirdControlError } from './errors.js'
import { isErrorCode, type ReplyLine } from './reply-line.js'
import type { ReplySink } from './connection.js'

/** Lines buffered before reading from BIRD pauses, and the level at which it resumes. */
export const HIGH_WATER_LINES = 4096
export const LOW_WATER_LINES = 1024

/** The socket side a stream throttles. */
export interface Throttle {
  pause(): void
  resume(): void
}

type ReplyPart = Exclude<ReplyLine, { kind: 'async' }>

/**
 * The lines of one streamed reply, handed out as an async iterator — one line per `next()`,
 * or with `nextBatch()` every line received so far (one socket read's worth when the
 * consumer keeps up), which saves a promise per line on big replies. Memory is bounded:
 * past HIGH_WATER_LINES unread lines the socket is paused, so BIRD blocks on its side
 * instead of the reply piling up here.
 */
export class LineStream implements AsyncIterator<ReplyPart>, ReplySink {
  #buf: ReplyPart[] = []
  #head = 0
  #waiting: { resolve: (r: IteratorResult<ReplyPart>) => void; reject: (err: unknown) => void } | undefined
  #waitingBatch: { resolve: (r: IteratorResult<readonly ReplyPart[]>) => void; reject: (err: unknown) => void } | undefined
  #batchScheduled = false
  #ended = false
  #error: BirdControlError | undefined
  #throttle: Throttle | undefined
  #paused = false
  /** Lines received so far: the client's idle timer watches it move. */
  received = 0

  constructor(
    readonly socketPath: string,
    readonly command: string,
    /** Called when the consumer stops early: the rest of the reply must be thrown away. */
    private readonly abandon: () => void,
  ) {}

  /** True while reading is paused because the consumer is behind (BIRD is not to blame). */
  get paused(): boolean {
    return this.#paused
  }

  attach(throttle: Throttle): void {
    this.#throttle = throttle
  }

  line(line: ReplyPart): void {
    this.received++
    if (line.kind === 'final') {
      if (isErrorCode(line.code)) return this.fail(new BirdCommandError(this.socketPath, this.command, line, [line]))
      this.#ended = true
    }
    const waiting = this.#waiting
    if (waiting !== undefined) {
      this.#waiting = undefined
      waiting.resolve({ value: line, done: false })
      return
    }
    this.#buf.push(line)
    // A batch reader is woken once the lines of the current socket read are all in: the
    // connection hands them over synchronously, so a microtask runs after the last one.
    if (this.#waitingBatch !== undefined && !this.#batchScheduled) {
      this.#batchScheduled = true
      queueMicrotask(() => this.#wakeBatch())
    }
    if (!this.#paused && !this.#ended && this.#buf.length - this.#head >= HIGH_WATER_LINES) {
      this.#paused = true
      this.#throttle?.pause()
    }
  }

  fail(err: BirdControlError): void {
    if (this.#ended || this.#error !== undefined) return
    this.#error = err
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting?.reject(err)
    if (this.#waitingBatch !== undefined && !this.#batchScheduled) {
      this.#batchScheduled = true
      queueMicrotask(() => this.#wakeBatch())
    }
  }

  /**
   * Every line received and not yet read, at once (never an empty batch); done after the
   * final line. An 8xxx/9xxx reply rejects, after the lines before it were handed out.
   */
  nextBatch(): Promise<IteratorResult<readonly ReplyPart[]>> {
    const ready = this.#takeBatch()
    if (ready !== undefined) return ready
    return new Promise((resolve, reject) => {
      this.#waitingBatch = { resolve, reject }
    })
  }

  #takeBatch(): Promise<IteratorResult<readonly ReplyPart[]>> | undefined {
    if (this.#head < this.#buf.length) {
      const batch = this.#head === 0 ? this.#buf : this.#buf.slice(this.#head)
      this.#buf = []
      this.#head = 0
      if (this.#paused) {
        this.#paused = false
        this.#throttle?.resume()
      }
      return Promise.resolve({ value: batch, done: false })
    }
    return this.#drained()
  }

  /**
   * Once the buffer is empty: the stream's error (reported once; afterwards the iterator is
   * simply finished), the end, or undefined while more lines may come.
   */
  #drained(): Promise<IteratorReturnResult<undefined>> | undefined {
    if (this.#error !== undefined) {
      const err = this.#error
      this.#ended = true
      this.#error = undefined
      return Promise.reject(err)
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true })
    return undefined
  }

  #wakeBatch(): void {
    this.#batchScheduled = false
    const waiting = this.#waitingBatch
    if (waiting === undefined) return
    const ready = this.#takeBatch()
    if (ready === undefined) return
    this.#waitingBatch = undefined
    ready.then(waiting.resolve, waiting.reject)
  }

  next(): Promise<IteratorResult<ReplyPart>> {
    if (this.#head < this.#buf.length) {
      const value = this.#buf[this.#head++] as ReplyPart
      this.#compact()
      if (this.#paused && this.#buf.length - this.#head <= LOW_WATER_LINES) {
        this.#paused = false
        this.#throttle?.resume()
      }
      return Promise.resolve({ value, done: false })
    }
    const drained = this.#drained()
    if (drained !== undefined) return drained
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
    })
  }

  return(): Promise<IteratorResult<ReplyPart>> {
    if (!this.#ended && this.#error === undefined) {
      this.#ended = true
      this.abandon()
    }
    this.#buf = []
    this.#head = 0
    return Promise.resolve({ value: undefined, done: true })
  }

  #compact(): void {
    if (this.#head === this.#buf.length) {
      this.#buf.length = 0
      this.#head = 0
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#buf.length) {
      this.#buf = this.#buf.slice(this.#head)
      this.#head = 0
    }
  }
}
