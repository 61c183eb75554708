import { IncompleteReplyError } from '../../../bird/replies/errors.js'
import { isGreeting, keyValue, runParser, skipped, textOf, type LineInput, type LineParser, type ParserOptions } from '../../../bird/replies/lines.js'
import { parseMemorySize, type BirdMemory } from '../../../bird/replies/memory.js'

/** One column of BIRD 2's `show memory`, in bytes. */
export interface Bird2MemoryColumn {
  readonly routingTables: number
  readonly routeAttributes: number
  readonly protocols: number
  readonly currentConfig: number
  readonly standbyMemory: number
  readonly total: number
}

/**
 * BIRD 2's `show memory`. The BirdMemory fields hold the "Effective" column, as 1.6's
 * single column did; `roaTables` is 0 because BIRD 2 keeps ROAs in ordinary routing tables
 * (counted under "Routing tables") and has no line for them. `overhead` is BIRD 2's
 * second column (allocator bookkeeping).
 */
export interface Bird2Memory extends BirdMemory {
  readonly currentConfig: number
  readonly standbyMemory: number
  readonly overhead: Bird2MemoryColumn
}

const REPLY = 'show memory'
const KEYS: Readonly<Record<string, keyof Bird2MemoryColumn>> = {
  'Routing tables': 'routingTables',
  'Route attributes': 'routeAttributes',
  Protocols: 'protocols',
  'Current config': 'currentConfig',
  'Standby memory': 'standbyMemory',
  Total: 'total',
}

/** "82.2 kB     15.1 kB" → the two sizes; a size is a number and a unit. */
function twoSizes(value: string): readonly [number, number] | undefined {
  const parts = value.split(' ').filter((p) => p !== '')
  if (parts.length !== 4) return undefined
  const effective = parseMemorySize(`${parts[0]} ${parts[1]}`)
  const overhead = parseMemorySize(`${parts[2]} ${parts[3]}`)
  return effective === undefined || overhead === undefined ? undefined : [effective, overhead]
}

export function createMemoryParser(opts: ParserOptions = {}): LineParser<Bird2Memory> {
  const effective: Partial<Record<keyof Bird2MemoryColumn, number>> = {}
  const overhead: Partial<Record<keyof Bird2MemoryColumn, number>> = {}
  return {
    push(line: LineInput): void {
      const text = textOf(line)
      const trimmed = text.trim()
      if (trimmed === '' || isGreeting(text) || trimmed === 'BIRD memory usage' || /^Effective\s+Overhead$/.test(trimmed)) return
      const kv = keyValue(trimmed)
      const key = kv === undefined ? undefined : KEYS[kv[0]]
      const sizes = kv === undefined ? undefined : twoSizes(kv[1])
      if (key === undefined || sizes === undefined) return skipped(opts.log, REPLY, text)
      effective[key] = sizes[0]
      overhead[key] = sizes[1]
    },
    end(): Bird2Memory {
      const missing = Object.values(KEYS).filter((k) => effective[k] === undefined)
      if (missing.length > 0) throw new IncompleteReplyError(REPLY, missing)
      const e = effective as Bird2MemoryColumn
      return {
        routingTables: e.routingTables,
        routeAttributes: e.routeAttributes,
        roaTables: 0,
        protocols: e.protocols,
        total: e.total,
        currentConfig: e.currentConfig,
        standbyMemory: e.standbyMemory,
        overhead: overhead as Bird2MemoryColumn,
      }
    },
  }
}

export function parseMemory(lines: Iterable<LineInput>, opts: ParserOptions = {}): Bird2Memory {
  return runParser(createMemoryParser(opts), lines)
}
