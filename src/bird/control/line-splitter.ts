import { StringDecoder } from 'node:string_decoder'

/** BIRD's lines are at most 512 bytes; anything this long without a newline is not BIRD. */
export const MAX_LINE_LENGTH = 64 * 1024

export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError'
  constructor(readonly length: number) {
    super(`a line of more than ${MAX_LINE_LENGTH} characters without a newline`)
  }
}

/**
 * Reassembles '\n'-terminated lines from socket chunks that may end anywhere, including
 * inside a reply code or a multi-byte character.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8')
  #partial = ''

  /** Calls `emit` for every line the chunk completes, without its '\n'. */
  push(chunk: Buffer, emit: (line: string) => void): void {
    const text = this.#partial + this.#decoder.write(chunk)
    let start = 0
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      emit(text.slice(start, nl))
      start = nl + 1
    }
    this.#partial = start === 0 ? text : text.slice(start)
    if (this.#partial.length > MAX_LINE_LENGTH) throw new LineTooLongError(this.#partial.length)
  }

  /** True when bytes of an unfinished line are held. */
  get pending(): boolean {
    return this.#partial.length > 0
  }
}
