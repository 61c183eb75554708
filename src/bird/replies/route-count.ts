import { IncompleteReplyError } from './errors.js'
import { isGreeting, parseUint, runParser, skipped, textOf, type LineInput, type LineParser, type ParserOptions } from './lines.js'

/** "5 of 5 routes for 4 networks" (`show route count`, reply code 0014). */
export interface RouteCount {
  /** Routes that passed the command's filter. */
  readonly shown: number
  /** Routes examined. */
  readonly total: number
  readonly networks: number
}

const REPLY = 'show route count'

/** One "N of M routes for K networks" line, or undefined. */
export function parseRouteCountLine(text: string): RouteCount | undefined {
  const w = text.split(' ')
  if (w.length !== 7 || w[1] !== 'of' || w[3] !== 'routes' || w[4] !== 'for' || w[6] !== 'networks') return undefined
  const shown = parseUint(w[0] as string)
  const total = parseUint(w[2] as string)
  const networks = parseUint(w[5] as string)
  if (shown === undefined || total === undefined || networks === undefined) return undefined
  return { shown, total, networks }
}

/**
 * The line handling both BIRD versions share: blank lines and the greeting ignored, what
 * `parse` reads handed to `keep`, anything else logged as skipped unless `quiet`.
 */
export function countLineReader<C>(
  parse: (text: string) => C | undefined,
  keep: (count: C) => void,
  opts: ParserOptions & { readonly quiet?: boolean },
): (line: LineInput) => void {
  return (line) => {
    const text = textOf(line)
    if (text === '' || isGreeting(text)) return
    const parsed = parse(text)
    if (parsed !== undefined) keep(parsed)
    else if (opts.quiet !== true) skipped(opts.log, REPLY, text)
  }
}

export function createRouteCountParser(opts: ParserOptions = {}): LineParser<RouteCount> {
  let count: RouteCount | undefined
  return {
    push: countLineReader(parseRouteCountLine, (c) => (count = c), opts),
    end(): RouteCount {
      if (count === undefined) throw new IncompleteReplyError(REPLY, ['count'])
      return count
    },
  }
}

export function parseRouteCount(lines: Iterable<LineInput>, opts: ParserOptions = {}): RouteCount {
  return runParser(createRouteCountParser(opts), lines)
}
