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

/**
 * How one BIRD version prints `show memory`: which keys it has (in the order a missing one is
 * reported), how the value after the colon reads (one size in 1.6, two columns in BIRD 2) and
 * which lines are headings without a value.
 */
export interface MemoryLayout<K extends string, V> {
  readonly keys: Readonly<Record<string, K>>
  readonly sizes: (value: string) => V | undefined
  readonly isHeading: (text: string) => boolean
}

/** A `show memory` parser for `layout`; `build` gets every key's value once all were read. */
export function createMemoryLayoutParser<K extends string, V, T>(
  layout: MemoryLayout<K, V>,
  opts: ParserOptions,
  build: (found: Readonly<Record<K, V>>) => T,
): LineParser<T> {
  const found: Partial<Record<K, V>> = {}
  return {
    push(line: LineInput): void {
      const text = textOf(line)
      if (text === '' || isGreeting(text) || layout.isHeading(text)) return
      const kv = keyValue(text)
      const key = kv === undefined ? undefined : layout.keys[kv[0]]
      const value = kv === undefined ? undefined : layout.sizes(kv[1])
      if (key === undefined || value === undefined) skipped(opts.log, REPLY, text)
      else found[key] = value
    },
    end(): T {
      const missing = Object.values(layout.keys).filter((k) => found[k] === undefined)
      if (missing.length > 0) throw new IncompleteReplyError(REPLY, missing)
      return build(found as Record<K, V>)
    },
  }
}

const LAYOUT: MemoryLayout<keyof BirdMemory, number> = {
  keys: KEYS,
  sizes: parseMemorySize,
  isHeading: (text) => text === 'BIRD memory usage',
}

export function createMemoryParser(opts: ParserOptions = {}): LineParser<BirdMemory> {
  return createMemoryLayoutParser(LAYOUT, opts, (m) => ({
    routingTables: m.routingTables,
    routeAttributes: m.routeAttributes,
    roaTables: m.roaTables,
    protocols: m.protocols,
    total: m.total,
  }))
}

export function parseMemory(lines: Iterable<LineInput>, opts: ParserOptions = {}): BirdMemory {
  return runParser(createMemoryParser(opts), lines)
}
