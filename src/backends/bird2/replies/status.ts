import { runParser, textOf, type LineInput, type LineParser, type ParserOptions } from '../../../bird/replies/lines.js'
import { createStatusParser as createBird1StatusParser, type BirdStatus } from '../../../bird/replies/status.js'

/** BIRD 2's `show status`: 1.6's lines (times with milliseconds), plus the host name. */
export interface Bird2Status extends BirdStatus {
  /** "Hostname is vm"; undefined when BIRD did not say. */
  readonly hostname: string | undefined
}

const HOSTNAME = 'Hostname is '

/** Every line but the host name reads as in 1.6, so 1.6's parser does the rest. */
export function createStatusParser(opts: ParserOptions = {}): LineParser<Bird2Status> {
  const common = createBird1StatusParser(opts)
  let hostname: string | undefined
  return {
    push(line: LineInput): void {
      const text = textOf(line)
      if (text.startsWith(HOSTNAME)) hostname = text.slice(HOSTNAME.length).trim()
      else common.push(line)
    },
    end: (): Bird2Status => ({ ...common.end(), hostname }),
  }
}

export function parseStatus(lines: Iterable<LineInput>, opts: ParserOptions = {}): Bird2Status {
  return runParser(createStatusParser(opts), lines)
}
