import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'

/** A real pino logger at debug level whose records are kept for assertions. */
export function capturingLogger(): { log: Logger; records: () => Record<string, unknown>[] } {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  const log = pino({ level: 'debug', base: undefined }, sink)
  return {
    log,
    records: () =>
      lines
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}
