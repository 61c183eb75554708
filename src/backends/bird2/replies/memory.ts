import { runParser, type LineInput, type LineParser, type ParserOptions } from '../../../bird/replies/lines.js'
import { createMemoryLayoutParser, parseMemorySize, type BirdMemory, type MemoryLayout } from '../../../bird/replies/memory.js'

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

const LAYOUT: MemoryLayout<keyof Bird2MemoryColumn, readonly [number, number]> = {
  keys: KEYS,
  sizes: twoSizes,
  // BIRD 2 indents its lines and heads the two columns.
  isHeading: (text) => {
    const trimmed = text.trim()
    return trimmed === '' || trimmed === 'BIRD memory usage' || /^Effective\s+Overhead$/.test(trimmed)
  },
}

export function createMemoryParser(opts: ParserOptions = {}): LineParser<Bird2Memory> {
  return createMemoryLayoutParser(LAYOUT, opts, (m) => {
    const column = (i: 0 | 1): Bird2MemoryColumn => ({
      routingTables: m.routingTables[i],
      routeAttributes: m.routeAttributes[i],
      protocols: m.protocols[i],
      currentConfig: m.currentConfig[i],
      standbyMemory: m.standbyMemory[i],
      total: m.total[i],
    })
    const e = column(0)
    return {
      routingTables: e.routingTables,
      routeAttributes: e.routeAttributes,
      roaTables: 0,
      protocols: e.protocols,
      total: e.total,
      currentConfig: e.currentConfig,
      standbyMemory: e.standbyMemory,
      overhead: column(1),
    }
  })
}

export function parseMemory(lines: Iterable<LineInput>, opts: ParserOptions = {}): Bird2Memory {
  return runParser(createMemoryParser(opts), lines)
}
