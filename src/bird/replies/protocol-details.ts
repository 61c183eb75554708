import {
  isGreeting,
  keyValue,
  parseUint,
  runParser,
  skipped,
  textOf,
  type LineInput,
  type LineParser,
  type ParserLog,
  type ParserOptions,
} from './lines.js'
import { BGP_STATES, isProtocolHeader, parseProtocolLine, type BgpState, type Protocol } from './protocols.js'

/** "Routes: 1 imported, 1 exported, 1 preferred" (`filtered` only with `import keep filtered`). */
export interface RouteCounts {
  readonly imported: number
  readonly filtered: number | undefined
  /** BIRD always prints it; undefined where a daemon does not count it (gobgpd's neighbor list). */
  readonly exported: number | undefined
  /** BIRD always prints it; undefined where a daemon does not count it (gobgpd's neighbor list). */
  readonly preferred: number | undefined
}

/** One row of "Route change stats"; BIRD prints "---" where a counter does not apply. */
export interface RouteChangeCounters {
  readonly received: number | undefined
  readonly rejected: number | undefined
  readonly filtered: number | undefined
  readonly ignored: number | undefined
  readonly accepted: number | undefined
}

export interface RouteChangeStats {
  readonly importUpdates: RouteChangeCounters | undefined
  readonly importWithdraws: RouteChangeCounters | undefined
  readonly exportUpdates: RouteChangeCounters | undefined
  readonly exportWithdraws: RouteChangeCounters | undefined
}

/** "7/9": seconds left / configured seconds ("-" when BIRD has no configured value). */
export interface TimerValue {
  readonly remaining: number
  readonly configured: number | undefined
}

export type NeighborCapability =
  | 'refresh'
  | 'enhanced-refresh'
  | 'restart-able'
  | 'restart-aware'
  | 'llgr-able'
  | 'llgr-aware'
  | 'AS4'
  | 'add-path-rx'
  | 'add-path-tx'

export type SessionFlag = 'multihop' | 'route-reflector' | 'route-server' | 'AS4' | 'add-path-rx' | 'add-path-tx' | 'ext-messages'

export interface BgpSession {
  readonly type: 'internal' | 'external'
  readonly flags: readonly SessionFlag[]
}

/** The BGP part of `show protocols all`; fields after "Neighbor AS" appear only in some states. */
export interface BgpDetails {
  readonly state: BgpState
  readonly neighborAddress: string
  /** The "%iface" suffix of a link-local neighbor. */
  readonly neighborInterface: string | undefined
  readonly neighborAs: number
  readonly neighborId: string | undefined
  readonly neighborCapabilities: readonly NeighborCapability[] | undefined
  readonly session: BgpSession | undefined
  readonly sourceAddress: string | undefined
  readonly holdTimer: TimerValue | undefined
  readonly keepaliveTimer: TimerValue | undefined
  readonly connectDelay: TimerValue | undefined
  readonly errorWait: TimerValue | undefined
  readonly restartTimer: TimerValue | undefined
  readonly routeLimit: { readonly routes: number; readonly limit: number } | undefined
  readonly lastError: string | undefined
  readonly gracefulRestartActive: boolean
}

/** One protocol of `show protocols all`: its row plus the indented details. */
export interface ProtocolDetails extends Protocol {
  readonly preference: number | undefined
  readonly inputFilter: string | undefined
  readonly outputFilter: string | undefined
  /** The protocol's `description` (falconer marks held-down sessions with one). */
  readonly description?: string
  /** Absent while the protocol is down. */
  readonly routes: RouteCounts | undefined
  readonly routeChangeStats: RouteChangeStats | undefined
  /** Present for BGP protocols. */
  readonly bgpDetails: BgpDetails | undefined
}

const CAPABILITIES: ReadonlySet<string> = new Set<NeighborCapability>([
  'refresh',
  'enhanced-refresh',
  'restart-able',
  'restart-aware',
  'llgr-able',
  'llgr-aware',
  'AS4',
  'add-path-rx',
  'add-path-tx',
])
const SESSION_FLAGS: ReadonlySet<string> = new Set<SessionFlag>([
  'multihop',
  'route-reflector',
  'route-server',
  'AS4',
  'add-path-rx',
  'add-path-tx',
  'ext-messages',
])

const REPLY = 'show protocols all'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * The route lines a 1.6 protocol and a BIRD 2 channel both print: preference, filters,
 * route counts and the "Route change stats" table.
 */
export interface RouteSection {
  preference: number | undefined
  inputFilter: string | undefined
  outputFilter: string | undefined
  routes: RouteCounts | undefined
  routeChangeStats: Mutable<RouteChangeStats> | undefined
}

/** The BGP fields as they are read, before `completeBgpDetails` checks the required ones. */
export type BgpFields = Partial<Mutable<BgpDetails>>

interface Block {
  row: Protocol
  details: Omit<Mutable<ProtocolDetails>, keyof Protocol | keyof RouteSection | 'bgpDetails'> & RouteSection
  bgp: BgpFields | undefined
}

/**
 * How one BIRD version reads `show protocols all`: blocks of a protocol row followed by
 * indented detail lines, a blank line between blocks.
 */
export interface ProtocolBlocks<B, R> {
  /** Lines logged as skipped before anything else reads them (BIRD 2's error replies). */
  readonly isError?: (line: LineInput) => boolean
  readonly isBlank: (text: string) => boolean
  readonly start: (row: Protocol) => B
  /** Reads one indented line into the block; false when the line means nothing to us. */
  readonly detailLine: (block: B, text: string) => boolean
  readonly finish: (block: B, log: ParserLog | undefined) => R
}

/** A `show protocols all` parser for `blocks`, one line at a time. */
export function createProtocolBlocksParser<B, R>(blocks: ProtocolBlocks<B, R>, opts: ParserOptions): LineParser<R[]> {
  const out: R[] = []
  let block: B | undefined
  const log = opts.log

  const flush = (): void => {
    if (block === undefined) return
    out.push(blocks.finish(block, log))
    block = undefined
  }

  return {
    push(line: LineInput): void {
      const text = textOf(line)
      if (blocks.isError?.(line) === true) return skipped(log, REPLY, text)
      if (blocks.isBlank(text)) return flush()
      const first = text.charCodeAt(0)
      if (first !== 32 && first !== 9) {
        if (isProtocolHeader(text) || isGreeting(text)) return
        flush()
        const row = parseProtocolLine(text)
        if (row === undefined) skipped(log, REPLY, text)
        else block = blocks.start(row)
        return
      }
      if (block === undefined || !blocks.detailLine(block, text)) skipped(log, REPLY, text)
    },
    end(): R[] {
      flush()
      return out
    },
  }
}

const BLOCKS: ProtocolBlocks<Block, ProtocolDetails> = {
  isBlank: (text) => text === '',
  start: (row) => ({ row, details: emptyDetails(), bgp: undefined }),
  detailLine,
  finish,
}

/** `show protocols all [name]`, one line at a time. */
export function createProtocolDetailsParser(opts: ParserOptions = {}): LineParser<ProtocolDetails[]> {
  return createProtocolBlocksParser(BLOCKS, opts)
}

export function parseProtocolDetails(lines: Iterable<LineInput>, opts: ParserOptions = {}): ProtocolDetails[] {
  return runParser(createProtocolDetailsParser(opts), lines)
}

function emptyDetails(): Block['details'] {
  return { preference: undefined, inputFilter: undefined, outputFilter: undefined, routes: undefined, routeChangeStats: undefined }
}

/** Reads one indented line into the block; false when the line means nothing to us. */
function detailLine(block: Block, text: string): boolean {
  const trimmed = text.trim()
  const kv = keyValue(trimmed)
  if (kv !== undefined) {
    const [key, value] = kv
    if (key === 'Description') {
      block.details.description = value
      return true
    }
    const section = routeSectionLine(block.details, key, value)
    if (section !== undefined) return section
  }
  return bgpLine(block, trimmed, bgp16Line)
}

/** The BGP lines BIRD 2 prints differently (capabilities spelled out, route limits per channel). */
function bgp16Line(bgp: BgpFields, key: string, value: string): boolean | undefined {
  switch (key) {
    case 'Neighbor caps':
      bgp.neighborCapabilities = words(value).filter((w): w is NeighborCapability => CAPABILITIES.has(w))
      return true
    case 'Route limit': {
      const t = timer(value)
      if (t === undefined || t.configured === undefined) return false
      bgp.routeLimit = { routes: t.remaining, limit: t.configured }
      return true
    }
  }
  return undefined
}

/**
 * Reads one line of a protocol's BGP part into `holder.bgp`, which "BGP state" opens: the
 * lines both versions print alike, then `own` for the version's other lines. False when the
 * line means nothing to us.
 */
export function bgpLine<F extends BgpFields>(
  holder: { bgp: F | undefined },
  trimmed: string,
  own: (bgp: F, key: string, value: string) => boolean | undefined,
): boolean {
  if (trimmed === 'Neighbor graceful restart active') {
    if (holder.bgp === undefined) return false
    holder.bgp.gracefulRestartActive = true
    return true
  }
  const kv = keyValue(trimmed)
  if (kv === undefined) return false
  const [key, value] = kv
  if (key === 'BGP state') {
    if (!BGP_STATES.has(value)) return false
    holder.bgp = { state: value as BgpState, gracefulRestartActive: false } as F
    return true
  }
  const bgp = holder.bgp
  if (bgp === undefined) return false
  return bgpSessionLine(bgp, key, value) ?? own(bgp, key, value) ?? false
}

/** Reads one of the lines of a RouteSection; undefined when `key` is not one of them. */
export function routeSectionLine(section: RouteSection, key: string, value: string): boolean | undefined {
  switch (key) {
    case 'Preference':
      return (section.preference = parseUint(value)) !== undefined
    case 'Input filter':
      section.inputFilter = value
      return true
    case 'Output filter':
      section.outputFilter = value
      return true
    case 'Routes':
      return (section.routes = routeCounts(value)) !== undefined
    case 'Route change stats':
      section.routeChangeStats ??= { importUpdates: undefined, importWithdraws: undefined, exportUpdates: undefined, exportWithdraws: undefined }
      return true
    case 'Import updates':
    case 'Import withdraws':
    case 'Export updates':
    case 'Export withdraws': {
      const counters = changeCounters(value)
      if (counters === undefined || section.routeChangeStats === undefined) return false
      section.routeChangeStats[STAT_KEYS[key]] = counters
      return true
    }
  }
  return undefined
}

/**
 * Reads one of the BGP session lines that BIRD 1.6 and BIRD 2 print alike; undefined when
 * `key` is not one of them.
 */
export function bgpSessionLine(bgp: BgpFields, key: string, value: string): boolean | undefined {
  switch (key) {
    case 'Neighbor address': {
      const pct = value.indexOf('%')
      bgp.neighborAddress = pct < 0 ? value : value.slice(0, pct)
      bgp.neighborInterface = pct < 0 ? undefined : value.slice(pct + 1)
      return true
    }
    case 'Neighbor AS':
      return (bgp.neighborAs = parseUint(value)) !== undefined
    case 'Neighbor ID':
      bgp.neighborId = value
      return true
    case 'Session':
      return (bgp.session = parseSession(value)) !== undefined
    case 'Source address':
      bgp.sourceAddress = value
      return true
    case 'Hold timer':
      return (bgp.holdTimer = timer(value)) !== undefined
    case 'Keepalive timer':
      return (bgp.keepaliveTimer = timer(value)) !== undefined
    case 'Connect delay':
      return (bgp.connectDelay = timer(value)) !== undefined
    case 'Error wait':
      return (bgp.errorWait = timer(value)) !== undefined
    case 'Restart timer':
      return (bgp.restartTimer = timer(value)) !== undefined
    case 'Last error':
      bgp.lastError = value
      return true
  }
  return undefined
}

/** "internal multihop AS4" (the same in BIRD 2). */
export function parseSession(value: string): BgpSession | undefined {
  const [type, ...flags] = words(value)
  if (type !== 'internal' && type !== 'external') return undefined
  return { type, flags: flags.filter((f): f is SessionFlag => SESSION_FLAGS.has(f)) }
}

/** The "Route change stats" row names, as RouteChangeStats keys. */
export const STAT_KEYS = {
  'Import updates': 'importUpdates',
  'Import withdraws': 'importWithdraws',
  'Export updates': 'exportUpdates',
  'Export withdraws': 'exportWithdraws',
} as const

function finish(block: Block, log: ParserLog | undefined): ProtocolDetails {
  const { routeChangeStats, ...details } = block.details
  return {
    ...block.row,
    ...details,
    routeChangeStats,
    bgpDetails:
      block.bgp === undefined
        ? undefined
        : completeBgpDetails(block.row.name, block.bgp, { neighborCapabilities: block.bgp.neighborCapabilities, routeLimit: block.bgp.routeLimit }, log),
  }
}

/**
 * The BgpDetails read for protocol `name`; undefined (and logged) without the neighbor's
 * address or AS. `differing` holds the fields the two BIRD versions print differently.
 */
export function completeBgpDetails(
  name: string,
  b: BgpFields,
  differing: Pick<BgpDetails, 'neighborCapabilities' | 'routeLimit'>,
  log: ParserLog | undefined,
): BgpDetails | undefined {
  if (b.state === undefined || b.neighborAddress === undefined || b.neighborAs === undefined) {
    log?.debug({ reply: REPLY, protocol: name }, 'BGP details without neighbor address or AS; ignored')
    return undefined
  }
  return {
    state: b.state,
    neighborAddress: b.neighborAddress,
    neighborInterface: b.neighborInterface,
    neighborAs: b.neighborAs,
    neighborId: b.neighborId,
    neighborCapabilities: differing.neighborCapabilities,
    session: b.session,
    sourceAddress: b.sourceAddress,
    holdTimer: b.holdTimer,
    keepaliveTimer: b.keepaliveTimer,
    connectDelay: b.connectDelay,
    errorWait: b.errorWait,
    restartTimer: b.restartTimer,
    routeLimit: differing.routeLimit,
    lastError: b.lastError,
    gracefulRestartActive: b.gracefulRestartActive ?? false,
  }
}

export function words(text: string): string[] {
  return text.split(' ').filter((w) => w !== '')
}

/** "1 imported, 1 exported, 1 preferred" or "1 imported, 0 filtered, 1 exported, 1 preferred". */
export function routeCounts(value: string): RouteCounts | undefined {
  const found: Record<string, number> = {}
  for (const part of value.split(',')) {
    const [n, what] = words(part)
    const count = n === undefined ? undefined : parseUint(n)
    if (count === undefined || what === undefined) return undefined
    found[what] = count
  }
  const { imported, filtered, exported, preferred } = found
  if (imported === undefined || exported === undefined || preferred === undefined) return undefined
  return { imported, filtered, exported, preferred }
}

/** Five columns: received rejected filtered ignored accepted. */
export function changeCounters(value: string): RouteChangeCounters | undefined {
  const cols = words(value)
  if (cols.length !== 5) return undefined
  const nums = cols.map((c) => (c === '---' ? undefined : parseUint(c)))
  if (nums.some((n, i) => n === undefined && cols[i] !== '---')) return undefined
  const [received, rejected, filtered, ignored, accepted] = nums
  return { received, rejected, filtered, ignored, accepted }
}

/** "7/9" (BIRD 1.6) or "169.273/240" (BIRD 2 counts in milliseconds). */
export function timer(value: string): TimerValue | undefined {
  const slash = value.indexOf('/')
  if (slash < 0) return undefined
  const remaining = parseSeconds(value.slice(0, slash))
  const configuredText = value.slice(slash + 1)
  const configured = configuredText === '-' ? undefined : parseUint(configuredText)
  if (remaining === undefined || (configured === undefined && configuredText !== '-')) return undefined
  return { remaining, configured }
}

function parseSeconds(text: string): number | undefined {
  const dot = text.indexOf('.')
  if (dot < 0) return parseUint(text)
  const whole = parseUint(text.slice(0, dot))
  const fraction = text.slice(dot + 1)
  if (whole === undefined || parseUint(fraction) === undefined) return undefined
  return Number(text)
}
