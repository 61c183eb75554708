import { isGreeting, runParser, skipped, textOf, type LineInput, type LineParser, type ParserOptions } from './lines.js'
import { clockLength, isIsoDate, parseBirdTimestamp, type BirdTimestamp } from './timestamp.js'

/**
 * The `state` column. BIRD prints "???" for a combination it does not expect; that is
 * `unknown` here rather than a dropped row.
 */
export type ProtocolState = 'down' | 'start' | 'up' | 'wait' | 'feed' | 'stop' | 'flush' | 'unknown'

/** BIRD's BGP states; `Down` when the protocol is down, `Passive` when waiting on a passive session. */
export type BgpState =
  | 'Idle'
  | 'Connect'
  | 'Active'
  | 'OpenSent'
  | 'OpenConfirm'
  | 'Established'
  | 'Close'
  | 'Down'
  | 'Passive'

export const BGP_STATES: ReadonlySet<string> = new Set<BgpState>([
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
  'Close',
  'Down',
  'Passive',
])

const PROTOCOL_STATES: ReadonlySet<string> = new Set(['down', 'start', 'up', 'wait', 'feed', 'stop', 'flush'])

/** What the info column of a BGP protocol says. */
export interface BgpSummary {
  readonly state: BgpState
  /** e.g. "Socket: Network is unreachable"; undefined when BIRD shows none. */
  readonly lastError: string | undefined
}

/** One row of `show protocols`. */
export interface Protocol {
  readonly name: string
  /** Protocol type as BIRD names it: "BGP", "Kernel", "Device", "Direct", "Static", … */
  readonly proto: string
  readonly table: string
  readonly state: ProtocolState
  readonly since: BirdTimestamp
  /** The info column, trimmed; may be empty. */
  readonly info: string
  /** Present for BGP protocols whose info column could be read. */
  readonly bgp: BgpSummary | undefined
}

/** BIRD 1.6 prints "name proto table state since info", BIRD 2 "Name Proto Table State Since Info". */
export function isProtocolHeader(text: string): boolean {
  return (
    (text.startsWith('name ') && text.includes(' proto ') && text.includes(' state ')) ||
    (text.startsWith('Name ') && text.includes(' Proto ') && text.includes(' State '))
  )
}

/**
 * A row of `show protocols`: columns split on whitespace (long names push the others
 * right), `since` is one token or, under `timeformat protocol iso long`, two, and the
 * info column is the rest of the line, spaces and all.
 */
export function parseProtocolLine(text: string): Protocol | undefined {
  const first = text.charCodeAt(0)
  if (text.length === 0 || first === 32 || first === 9) return undefined
  let pos = 0
  const fields: string[] = []
  while (fields.length < 5) {
    const start = skipSpaces(text, pos)
    if (start >= text.length) return undefined
    let end = text.indexOf(' ', start)
    if (end < 0) end = text.length
    fields.push(text.slice(start, end))
    pos = end
  }
  const [name, proto, table, stateText, sinceStart] = fields as [string, string, string, string, string]
  let since = sinceStart
  // "2026-11-22 11:40:21" (BIRD 2: "….403"): iso long puts a space inside the since column.
  if (since.length === 10 && isIsoDate(since, 0)) {
    const next = skipSpaces(text, pos)
    const clock = clockLength(text, next)
    if (clock > 0 && (text.length === next + clock || text.charCodeAt(next + clock) === 32)) {
      since = `${since} ${text.slice(next, next + clock)}`
      pos = next + clock
    }
  }
  const info = text.slice(pos).trim()
  const state = (PROTOCOL_STATES.has(stateText) ? stateText : 'unknown') as ProtocolState
  return {
    name,
    proto,
    table,
    state,
    since: parseBirdTimestamp(since),
    info,
    bgp: proto === 'BGP' ? bgpSummary(state, info) : undefined,
  }
}

function bgpSummary(state: ProtocolState, info: string): BgpSummary | undefined {
  // A down BGP protocol shows only its last error, if any, in the info column.
  if (state === 'down') return { state: 'Down', lastError: info === '' ? undefined : info }
  const space = info.indexOf(' ')
  const word = space < 0 ? info : info.slice(0, space)
  if (!BGP_STATES.has(word)) return undefined
  const rest = space < 0 ? '' : info.slice(space).trim()
  return { state: word as BgpState, lastError: rest === '' ? undefined : rest }
}

function skipSpaces(text: string, from: number): number {
  let i = from
  while (i < text.length && text.charCodeAt(i) === 32) i++
  return i
}

/** `show protocols [pattern]`, one line at a time. */
export function createProtocolsParser(opts: ParserOptions = {}): LineParser<Protocol[]> {
  const out: Protocol[] = []
  return {
    push(line: LineInput): void {
      const text = textOf(line)
      if (text === '' || isProtocolHeader(text) || isGreeting(text)) return
      const row = parseProtocolLine(text)
      if (row === undefined) skipped(opts.log, 'show protocols', text)
      else out.push(row)
    },
    end: () => out,
  }
}

export function parseProtocols(lines: Iterable<LineInput>, opts: ParserOptions = {}): Protocol[] {
  return runParser(createProtocolsParser(opts), lines)
}
