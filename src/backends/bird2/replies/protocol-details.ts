import {
  keyValue,
  parseUint,
  runParser,
  type LineInput,
  type LineParser,
  type ParserLog,
  type ParserOptions,
} from '../../../bird/replies/lines.js'
import {
  bgpLine,
  completeBgpDetails,
  createProtocolBlocksParser,
  routeSectionLine,
  words,
  type BgpDetails,
  type NeighborCapability,
  type ProtocolBlocks,
  type ProtocolDetails,
  type RouteChangeStats,
  type RouteCounts,
} from '../../../bird/replies/protocol-details.js'
import type { Protocol } from '../../../bird/replies/protocols.js'
import type { Mutable } from '../../../bird/replies/routes.js'

/** A channel's state as BIRD 2 prints it; `unknown` for anything else. */
export type ChannelState = 'UP' | 'DOWN' | 'START' | 'FLUSHING' | 'unknown'

/** One "Channel NAME" section of `show protocols all`: what 1.6 showed per protocol, per family. */
export interface ChannelDetails {
  /** "ipv4", "ipv6" (or another of BIRD 2's channel types, e.g. "ipv4-mc"). */
  readonly name: string
  readonly state: ChannelState
  readonly table: string | undefined
  readonly preference: number | undefined
  readonly inputFilter: string | undefined
  readonly outputFilter: string | undefined
  /** Absent while the channel is down. */
  readonly routes: RouteCounts | undefined
  readonly routeChangeStats: RouteChangeStats | undefined
  /** BGP: "BGP Next hop: fd99:51::1 fe80::…" (the global and, for IPv6, the link-local address). */
  readonly bgpNextHop: readonly string[] | undefined
  /** BGP: "IGP IPv4 table: master4", the table recursive next hops resolve in. */
  readonly igpTable: string | undefined
}

/** BIRD 2's BGP details: 1.6's, plus the local AS and the address families each side announced. */
export interface Bird2BgpDetails extends BgpDetails {
  readonly localAs: number | undefined
  /** "AF announced" under Local capabilities, e.g. ["ipv4", "ipv6"]. */
  readonly localFamilies: readonly string[] | undefined
  /** "AF announced" under Neighbor capabilities; undefined until the session opened. */
  readonly neighborFamilies: readonly string[] | undefined
}

/**
 * One protocol of BIRD 2's `show protocols all`, in 1.6's shape plus its channels. For a
 * one-channel protocol the 1.6 fields (preference, filters, routes, route change stats) are
 * that channel's; with several channels `routes` is their sum and the rest undefined: use
 * `channels`, or `protocolsForFamily` for one family's view.
 */
export interface Bird2ProtocolDetails extends ProtocolDetails {
  readonly bgpDetails: Bird2BgpDetails | undefined
  readonly channels: readonly ChannelDetails[]
}

const CHANNEL_STATES: ReadonlySet<string> = new Set(['UP', 'DOWN', 'START', 'FLUSHING'])

/** BIRD 2 spells capabilities out; these are the ones 1.6's names cover. */
const CAPABILITY_NAMES: Readonly<Record<string, NeighborCapability>> = {
  'Route refresh': 'refresh',
  'Enhanced refresh': 'enhanced-refresh',
  'Graceful restart': 'restart-aware',
  '4-octet AS numbers': 'AS4',
  'Long-lived graceful restart': 'llgr-aware',
}
/** Sub-lines that say the peer can do more than be aware of it. */
const CAPABILITY_DETAILS: Readonly<Record<string, NeighborCapability>> = {
  'Restart time': 'restart-able',
  'LL stale time': 'llgr-able',
}

interface Caps {
  readonly indent: number
  readonly names: NeighborCapability[]
  families: string[] | undefined
}

interface Block {
  readonly row: Protocol
  readonly channels: Mutable<ChannelDetails>[]
  bgp: Partial<Mutable<Bird2BgpDetails>> | undefined
  localCaps: Caps | undefined
  neighborCaps: Caps | undefined
  /** Set while the indented lines belong to a capability list. */
  openCaps: Caps | undefined
  channel: Mutable<ChannelDetails> | undefined
}

const BLOCKS: ProtocolBlocks<Block, Bird2ProtocolDetails> = {
  // An error reply (8003 "No protocols match", 9001 …) would otherwise read as a row.
  isError: isErrorLine,
  isBlank: (text) => text.trim() === '',
  start: (row) => ({ row, channels: [], bgp: undefined, localCaps: undefined, neighborCaps: undefined, openCaps: undefined, channel: undefined }),
  detailLine,
  finish,
}

/** `show protocols all [name]` of BIRD 2, one line at a time. */
export function createProtocolDetailsParser(opts: ParserOptions = {}): LineParser<Bird2ProtocolDetails[]> {
  return createProtocolBlocksParser(BLOCKS, opts)
}

export function parseProtocolDetails(lines: Iterable<LineInput>, opts: ParserOptions = {}): Bird2ProtocolDetails[] {
  return runParser(createProtocolDetailsParser(opts), lines)
}

function isErrorLine(line: LineInput): boolean {
  if (typeof line === 'string' || !('code' in line)) return false
  const code = (line as { readonly code?: unknown }).code
  return typeof code === 'number' && code >= 8000
}

function indentOf(text: string): number {
  let i = 0
  while (text.charCodeAt(i) === 32) i++
  return i
}

/** Reads one indented line into the block; false when the line means nothing to us. */
function detailLine(block: Block, text: string): boolean {
  const indent = indentOf(text)
  const trimmed = text.slice(indent).trimEnd()
  if (block.openCaps !== undefined) {
    if (indent > block.openCaps.indent) return capabilityLine(block.openCaps, trimmed)
    block.openCaps = undefined
  }
  if (trimmed.startsWith('Channel ')) {
    block.channel = emptyChannel(trimmed.slice(8))
    block.channels.push(block.channel)
    return true
  }
  if (block.channel !== undefined) return channelLine(block.channel, trimmed)
  if (trimmed === 'Local capabilities' || trimmed === 'Neighbor capabilities') {
    if (block.bgp === undefined) return false
    block.openCaps = { indent, names: [], families: undefined }
    if (trimmed === 'Local capabilities') block.localCaps = block.openCaps
    else block.neighborCaps = block.openCaps
    return true
  }
  return bgpLine(block, trimmed, bgp2Line)
}

function capabilityLine(caps: Caps, trimmed: string): boolean {
  const known = CAPABILITY_NAMES[trimmed]
  if (known !== undefined) {
    if (!caps.names.includes(known)) caps.names.push(known)
    return true
  }
  const kv = keyValue(trimmed)
  if (kv === undefined) {
    // Capabilities 1.6 had no name for ("Multiprotocol", "Extended message", "ADD-PATH", …).
    return true
  }
  const [key, value] = kv
  if (key === 'AF announced') {
    caps.families = words(value)
    return true
  }
  const detail = CAPABILITY_DETAILS[key]
  if (detail !== undefined && !caps.names.includes(detail)) caps.names.push(detail)
  if (key === 'RX' || key === 'TX') {
    const name: NeighborCapability = key === 'RX' ? 'add-path-rx' : 'add-path-tx'
    if (value !== '' && !caps.names.includes(name)) caps.names.push(name)
  }
  return true
}

/** The one BGP line only BIRD 2 prints. */
function bgp2Line(bgp: Partial<Mutable<Bird2BgpDetails>>, key: string, value: string): boolean | undefined {
  return key === 'Local AS' ? (bgp.localAs = parseUint(value)) !== undefined : undefined
}

function emptyChannel(name: string): Mutable<ChannelDetails> {
  return {
    name,
    state: 'unknown',
    table: undefined,
    preference: undefined,
    inputFilter: undefined,
    outputFilter: undefined,
    routes: undefined,
    routeChangeStats: undefined,
    bgpNextHop: undefined,
    igpTable: undefined,
  }
}

function channelLine(ch: Mutable<ChannelDetails>, trimmed: string): boolean {
  const kv = keyValue(trimmed)
  if (kv === undefined) return false
  const [key, value] = kv
  switch (key) {
    case 'State':
      ch.state = CHANNEL_STATES.has(value) ? (value as ChannelState) : 'unknown'
      return true
    case 'Table':
      ch.table = value
      return true
    case 'BGP Next hop':
      ch.bgpNextHop = words(value)
      return true
    case 'IGP IPv4 table':
    case 'IGP IPv6 table':
      ch.igpTable = value
      return true
  }
  return routeSectionLine(ch, key, value) ?? false
}

function finish(block: Block, log: ParserLog | undefined): Bird2ProtocolDetails {
  const channels = block.channels
  const only = channels.length === 1 ? channels[0] : undefined
  return {
    ...block.row,
    preference: only?.preference,
    inputFilter: only?.inputFilter,
    outputFilter: only?.outputFilter,
    routes: only !== undefined ? only.routes : sumRoutes(channels),
    routeChangeStats: only?.routeChangeStats,
    bgpDetails: block.bgp === undefined ? undefined : bgpDetails(block, block.bgp, log),
    channels,
  }
}

/** Undefined when no channel has counts (all down). */
function sumRoutes(channels: readonly ChannelDetails[]): RouteCounts | undefined {
  const counted = channels.filter((c) => c.routes !== undefined).map((c) => c.routes!)
  if (counted.length === 0) return undefined
  const sum = (k: 'imported' | 'exported' | 'preferred') => counted.reduce((n, r) => n + (r[k] ?? 0), 0)
  const filtered = counted.some((r) => r.filtered !== undefined) ? counted.reduce((n, r) => n + (r.filtered ?? 0), 0) : undefined
  return { imported: sum('imported'), filtered, exported: sum('exported'), preferred: sum('preferred') }
}

function bgpDetails(block: Block, b: Partial<Bird2BgpDetails>, log: ParserLog | undefined): Bird2BgpDetails | undefined {
  const common = completeBgpDetails(
    block.row.name,
    b,
    // BIRD 2 lists capabilities in a block of their own, and shows route limits per channel
    // ("Import limit"), which nothing here reads.
    { neighborCapabilities: block.neighborCaps?.names, routeLimit: undefined },
    log,
  )
  if (common === undefined) return undefined
  return { ...common, localAs: b.localAs, localFamilies: block.localCaps?.families, neighborFamilies: block.neighborCaps?.families }
}

/**
 * One family's view of the one daemon, in 1.6's shape, so the status code that reads a
 * `bird` and a `bird6` can read BIRD 2 twice: each protocol with a channel of that family
 * ("ipv4" / "ipv6") carries that channel's table, preference, filters, route counts and
 * stats; protocols without channels (device) appear in both views; protocols whose channels
 * are all of other families are left out. A BGP session carrying both families appears in
 * both views, with each family's own route counts.
 */
export function protocolsForFamily(protocols: readonly Bird2ProtocolDetails[], family: 4 | 6): Bird2ProtocolDetails[] {
  const want = family === 4 ? 'ipv4' : 'ipv6'
  const out: Bird2ProtocolDetails[] = []
  for (const p of protocols) {
    if (p.channels.length === 0) {
      out.push(p)
      continue
    }
    const ch = p.channels.find((c) => c.name === want)
    if (ch === undefined) continue
    out.push({
      ...p,
      table: ch.table ?? p.table,
      preference: ch.preference,
      inputFilter: ch.inputFilter,
      outputFilter: ch.outputFilter,
      routes: ch.routes,
      routeChangeStats: ch.routeChangeStats,
    })
  }
  return out
}
