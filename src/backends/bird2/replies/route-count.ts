import { IncompleteReplyError } from '../../../bird/replies/errors.js'
import { parseUint, runParser, type LineInput, type LineParser, type ParserOptions } from '../../../bird/replies/lines.js'
import { countLineReader, parseRouteCountLine, type RouteCount } from '../../../bird/replies/route-count.js'

/** One table's line of BIRD 2's `show route count`. */
export interface TableRouteCount extends RouteCount {
  readonly table: string
}

/**
 * BIRD 2's `show route count` (and the end of `show route stats`): one line per table,
 *   "307 of 307 routes for 207 networks in table master4"
 * then, when more than one table was shown (reply code 0014),
 *   "Total: 490 of 490 routes for 330 networks in 2 tables".
 * The RouteCount fields are the totals over every table listed.
 */
export interface Bird2RouteCount extends RouteCount {
  readonly tables: readonly TableRouteCount[]
}

const REPLY = 'show route count'
const IN_TABLE = ' in table '

/** "N of M routes for K networks in table T". */
export function parseTableCountLine(text: string): TableRouteCount | RouteCount | undefined {
  if (text.startsWith('Total: ')) return totalLine(text.slice(7))
  const at = text.indexOf(IN_TABLE)
  if (at < 0) return undefined
  const count = parseRouteCountLine(text.slice(0, at))
  const table = text.slice(at + IN_TABLE.length)
  if (count === undefined || table === '' || table.includes(' ')) return undefined
  return { ...count, table }
}

/** "490 of 490 routes for 330 networks in 2 tables": the table count is derivable, so dropped. */
function totalLine(text: string): RouteCount | undefined {
  const m = /^(.*) in (\d+) tables?$/.exec(text)
  if (m === null || parseUint(m[2] as string) === undefined) return undefined
  return parseRouteCountLine(m[1] as string)
}

export interface RouteCountOptions extends ParserOptions {
  /** `show route stats` lists the routes before the counts: do not log their lines as skipped. */
  readonly routesExpected?: boolean
}

export function createRouteCountParser(opts: RouteCountOptions = {}): LineParser<Bird2RouteCount> {
  const tables: TableRouteCount[] = []
  let total: RouteCount | undefined
  return {
    push: countLineReader(
      parseTableCountLine,
      (parsed) => {
        if ('table' in parsed) tables.push(parsed)
        else total = parsed
      },
      { log: opts.log, quiet: opts.routesExpected === true },
    ),
    end(): Bird2RouteCount {
      if (total !== undefined) return { ...total, tables }
      if (tables.length === 0) throw new IncompleteReplyError(REPLY, ['count'])
      const sum = (k: keyof RouteCount) => tables.reduce((n, t) => n + t[k], 0)
      return { shown: sum('shown'), total: sum('total'), networks: sum('networks'), tables }
    },
  }
}

export function parseRouteCount(lines: Iterable<LineInput>, opts: RouteCountOptions = {}): Bird2RouteCount {
  return runParser(createRouteCountParser(opts), lines)
}
