import type { Logger } from '../../log.js'

/**
 * What every parser accepts: plain text lines (birdc output, or reply text with the code
 * stripped) or the client's reply lines, which carry their text in `text`. Structural on
 * purpose, so the pure parsers do not depend on the socket client.
 */
export type LineInput = string | { readonly text: string }

/** Parsers only ever log skipped lines, at debug level. */
export type ParserLog = Pick<Logger, 'debug'>

export interface ParserOptions {
  readonly log?: ParserLog
}

/**
 * A parser fed one line at a time, so it can consume a reply as it streams in.
 * `end()` returns what was read; it throws `IncompleteReplyError` when the reply lacked a
 * line the result cannot do without.
 */
export interface LineParser<T> {
  push(line: LineInput): void
  end(): T
}

export function textOf(line: LineInput): string {
  return typeof line === 'string' ? line : line.text
}

export function runParser<T>(parser: LineParser<T>, lines: Iterable<LineInput>): T {
  for (const line of lines) parser.push(line)
  return parser.end()
}

export async function runParserAsync<T>(parser: LineParser<T>, lines: AsyncIterable<LineInput>): Promise<T> {
  for await (const line of lines) parser.push(line)
  return parser.end()
}

/** birdc prints the greeting as the first line of its output; the raw protocol does not repeat it. */
export function isGreeting(text: string): boolean {
  return text.startsWith('BIRD ') && text.endsWith(' ready.')
}

export function skipped(log: ParserLog | undefined, reply: string, text: string): void {
  log?.debug({ reply, line: text }, 'skipped an unrecognised BIRD reply line')
}

/** Splits "key:   value" at the first colon; undefined when there is no colon. */
export function keyValue(text: string): readonly [string, string] | undefined {
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()]
}

/** A non-negative decimal integer, or undefined: BIRD never prints signs, exponents or blanks here. */
export function parseUint(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) return undefined
    n = n * 10 + c
  }
  return n
}
