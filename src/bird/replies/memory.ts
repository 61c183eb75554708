import { IncompleteReplyError } from './errors.js'
import { isGreeting, keyValue, runParser, skipped, textOf, type LineInput, type LineParser, type ParserOptions } from './lines.js'

/** `show memory`, in bytes. BIRD rounds to its unit ("35 kB"), so these are as exact as BIRD's text. */
export interface BirdMemory {
  readonly routingTables: number
  readonly routeAttributes: number
  readonly roaTables: number
  readonly protocols: number
  readonly total: number
}

const REPLY = 'show memory'
const KEYS: Readonly<Record<string, keyof BirdMemory>> = {
  'Routing tables': 'routingTables',
  'Route attributes': 'routeAttributes',
  'ROA tables': 'roaTables',
  Protocols: 'protocols',
  Total: 'total',
}
const UNITS: Readonly<Record<string, number>> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }

/** "9772  B", "35 kB" → bytes. */
export function parseMemorySize(text: string): number | undefined {
  const parts = text.split(' ').filter((p) => p !== '')
  if (parts.length !== 2) return undefined
  const [n, unit] = parts as [string, string]
  const scale = UNITS[unit]
  const value = Number(n)
  if (scale === undefined || n === '' || !Number.isFinite(value) || value < 0) return undefined
  return Math.round(value * scale)
}

export function createMemoryParser(opts: ParserOptions = {}): LineParser<BirdMemory> {
  const found: Partial<Record<keyof BirdMemory, number>> = {}
  return {
    push(line: LineInput): void {
      const text = textOf(line)
      if (text === '' || isGreeting(text) || text === 'BIRD memory usage') return
      const kv = keyValue(text)
      const key = kv === undefined ? undefined : KEYS[kv[0]]
      const bytes = kv === undefined ? undefined : parseMemorySize(kv[1])
      if (key === undefined || bytes === undefined) skipped(opts.log, REPLY, text)
      else found[key] = bytes
    },
    end(): BirdMemory {
      const { routingTables, routeAttributes, roaTables, protocols, total } = found
      if (
        routingTables === undefined ||
        routeAttributes === undefined ||
        roaTables === undefined ||
        protocols === undefined ||
        total === undefined
      ) {
        throw new IncompleteReplyError(REPLY, Object.values(KEYS).filter((k) => found[k] === undefined))
      }
      return { routingTables, routeAttributes, roaTables, protocols, total }
    },
  }
}

export function parseMemory(lines: Iterable<LineInput>, opts: ParserOptions = {}): BirdMemory {
  return runParser(createMemoryParser(opts), lines)
}
