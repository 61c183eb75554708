import { bgpAttributes, type BgpOrigin, type BgpRouteAttributes } from './bgp-attributes.js'
import { isGreeting, skipped, textOf, type LineInput, type ParserLog, type ParserOptions } from './lines.js'
import { parseBirdTimestamp, type BirdTimestamp } from './timestamp.js'

export interface NextHop {
  readonly gateway: string
  readonly interface: string
  readonly weight: number
}

/** Where a route sends packets: BIRD's `via`, `dev`, `blackhole`, `unreachable`, `prohibited`, `multipath`. */
export type RouteDestination =
  | { readonly kind: 'via'; readonly gateway: string; readonly interface: string }
  | { readonly kind: 'dev'; readonly interface: string }
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'prohibit' }
  | { readonly kind: 'multipath'; readonly nextHops: readonly NextHop[] }

export type RouteSource =
  | 'dummy'
  | 'static'
  | 'inherit'
  | 'device'
  | 'static-device'
  | 'redirect'
  | 'RIP'
  | 'OSPF'
  | 'OSPF-IA'
  | 'OSPF-E1'
  | 'OSPF-E2'
  | 'BGP'
  | 'pipe'

/** "Type: BGP unicast univ" of `show route all`. */
export interface RouteType {
  readonly source: RouteSource
  readonly cast: 'unicast' | 'broadcast' | 'multicast' | 'anycast'
  readonly scope: 'host' | 'link' | 'site' | 'org' | 'univ' | 'undef'
}

/** One path of `show route [all]`. A network with several paths yields several routes. */
export interface Route {
  /** "192.168.10.0/26" */
  readonly network: string
  readonly destination: RouteDestination
  /** The protocol that supplied the route, e.g. "Mesh_10_99_0_2". */
  readonly protocol: string
  readonly since: BirdTimestamp
  /** "from X" when the route was learned from a neighbor other than its gateway. */
  readonly from: string | undefined
  /** `*` (or `!`) marks the path BIRD selected and exports to the FIB; the others stay in the RIB. */
  readonly placement: 'FIB' | 'RIB'
  /** `!`: selected, but BIRD failed to write it to the kernel. */
  readonly kernelSyncError: boolean
  readonly preference: number
  /** The IGP metric of a recursive next hop, "/-" unresolvable, "/?" unknown; undefined when not shown. */
  readonly igpMetric: number | 'unresolvable' | 'unknown' | undefined
  /** BGP: the last AS of the path, from "[AS65000i]". */
  readonly originAs: number | undefined
  /** BGP: the origin letter of "[AS65000i]". */
  readonly origin: BgpOrigin | undefined
  /** `show route all` only. */
  readonly type: RouteType | undefined
  /** `show route all` only: every "name: value" attribute line, e.g. { "BGP.local_pref": "100" }. */
  readonly attributes: Readonly<Record<string, string>> | undefined
  /** `show route all` only: the BGP attributes, typed. */
  readonly bgp: BgpRouteAttributes | undefined
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type MutableRoute = Mutable<Route>

const BLACKHOLE = { kind: 'blackhole' } as const
const UNREACHABLE = { kind: 'unreachable' } as const
const PROHIBIT = { kind: 'prohibit' } as const

const SOURCES: ReadonlySet<string> = new Set<RouteSource>([
  'dummy',
  'static',
  'inherit',
  'device',
  'static-device',
  'redirect',
  'RIP',
  'OSPF',
  'OSPF-IA',
  'OSPF-E1',
  'OSPF-E2',
  'BGP',
  'pipe',
])
const CASTS: ReadonlySet<string> = new Set(['unicast', 'broadcast', 'multicast', 'anycast'])
const SCOPES: ReadonlySet<string> = new Set(['host', 'link', 'site', 'org', 'univ', 'undef'])
const ORIGIN_LETTERS: Readonly<Record<string, BgpOrigin>> = { i: 'IGP', e: 'EGP', '?': 'Incomplete' }

const REPLY = 'show route'

/**
 * `show route [all]`, one line at a time. A path is complete only when the next path (or
 * the end) arrives, because `all` puts its attributes on the lines after it: `push`
 * returns the path the line completed, `end` the last one.
 *
 * This reads BIRD 1.6's layout; BIRD 2's reader extends it through the protected hooks
 * (where a route's destination is written, and lines that are not routes).
 */
export class RouteReader {
  #current: MutableRoute | undefined
  #network: string | undefined
  /** The attribute a "\t\t…" wrap line continues. */
  #lastAttribute: string | undefined
  readonly #log: ParserLog | undefined
  /** Bound once (a subclass's override included), not per line. */
  readonly #destinationOf = this.destination.bind(this)

  constructor(opts: ParserOptions = {}) {
    this.#log = opts.log
  }

  push(line: LineInput): Route | undefined {
    const text = textOf(line)
    if (text.length === 0) return undefined
    if (text.charCodeAt(0) === 9) {
      if (this.#current === undefined || !this.#detailLine(this.#current, text)) skipped(this.#log, REPLY, text)
      return undefined
    }
    const route = routeLine(text, this.#network, this.#destinationOf)
    if (route === undefined) {
      if (!isGreeting(text) && !this.otherLine(text)) skipped(this.#log, REPLY, text)
      return undefined
    }
    this.#network = route.network
    this.#lastAttribute = undefined
    const done = this.#current
    this.#current = route
    return done === undefined ? undefined : finish(done)
  }

  end(): Route | undefined {
    const done = this.#current
    this.#current = undefined
    this.#network = undefined
    this.#lastAttribute = undefined
    return done === undefined ? undefined : finish(done)
  }

  /** The destination between the network and " [": "via GW on IFACE", "blackhole", … */
  protected destination(text: string, from: number, to: number): RouteDestination | undefined {
    return parseDestination(text, from, to)
  }

  /** A "\tvia …" or "\tdev …" line under a path; BIRD 1.6 writes them only for multipath. */
  protected nextHopLine(route: Mutable<Route>, text: string): boolean {
    return nextHopLine(route, text)
  }

  /** A line that is neither a path nor under one; true when it means something to the reader. */
  protected otherLine(_text: string): boolean {
    return false
  }

  /** A tab-indented line under a path: its type, a next hop, or an attribute. */
  #detailLine(route: MutableRoute, text: string): boolean {
    // "\t\t…": BIRD wraps long community lists onto further lines of the same attribute.
    if (text.charCodeAt(1) === 9) {
      const key = this.#lastAttribute
      if (key === undefined || route.attributes === undefined) return false
      const attrs = route.attributes as Record<string, string>
      attrs[key] = `${attrs[key]} ${text.slice(2).trim()}`
      return true
    }
    if (text.startsWith('\tvia ') || text.startsWith('\tdev ')) return this.nextHopLine(route, text)
    const colon = text.indexOf(':')
    if (colon < 0) return false
    const key = text.slice(1, colon)
    const value = text.slice(colon + 1).trim()
    if (key === 'Type') {
      const type = routeType(value)
      route.type = type
      return type !== undefined
    }
    const attrs = (route.attributes ??= {}) as Record<string, string>
    attrs[key] = value
    this.#lastAttribute = key
    return true
  }
}

export function parseRoutes(lines: Iterable<LineInput>, opts: ParserOptions = {}): Route[] {
  return readRoutes(lines, new RouteReader(opts))
}

/**
 * Routes as the lines stream in, holding one route at a time: feed it
 * `BirdControl.stream('show route')` (or its texts) and memory stays flat however big the table.
 */
export function parseRouteStream(lines: AsyncIterable<LineInput>, opts: ParserOptions = {}): AsyncIterable<Route> {
  return streamRoutes(lines, () => new RouteReader(opts))
}

/** `parseRouteStream` with another reader (BIRD 2's). */
export function streamRoutes(lines: AsyncIterable<LineInput>, reader: () => RouteReader): AsyncIterable<Route> {
  return {
    [Symbol.asyncIterator]: () => new RouteStream(lines[Symbol.asyncIterator](), reader()),
  }
}

/** `parseRoutes` with another reader (BIRD 2's). */
export function readRoutes(lines: Iterable<LineInput>, reader: RouteReader): Route[] {
  const out: Route[] = []
  for (const line of lines) {
    const route = reader.push(line)
    if (route !== undefined) out.push(route)
  }
  const last = reader.end()
  if (last !== undefined) out.push(last)
  return out
}

/** Hand-written rather than an async generator, whose per-yield cost halves throughput. */
class RouteStream implements AsyncIterator<Route> {
  #done = false

  constructor(
    private readonly source: AsyncIterator<LineInput>,
    private readonly reader: RouteReader,
  ) {}

  async next(): Promise<IteratorResult<Route>> {
    while (!this.#done) {
      const r = await this.source.next()
      if (r.done === true) {
        this.#done = true
        const last = this.reader.end()
        if (last !== undefined) return { value: last, done: false }
        break
      }
      const route = this.reader.push(r.value)
      if (route !== undefined) return { value: route, done: false }
    }
    return { value: undefined, done: true }
  }

  async return(): Promise<IteratorResult<Route>> {
    if (!this.#done) {
      this.#done = true
      await this.source.return?.()
    }
    return { value: undefined, done: true }
  }
}

function finish(route: MutableRoute): Route {
  if (route.attributes !== undefined) route.bgp = bgpAttributes(route.attributes)
  return route
}

/**
 * "192.168.20.0/26    via 10.99.0.2 on veth-a [Mesh_10_99_0_2 11:42:35 from 10.99.0.2] * (100/0) [AS65000i]"
 * or, for a further path of the same network, the same with the network left blank.
 * Plain index arithmetic: this runs a million times for a full table.
 */
function routeLine(
  text: string,
  previousNetwork: string | undefined,
  destinationOf: (text: string, from: number, to: number) => RouteDestination | undefined,
): MutableRoute | undefined {
  let network: string
  let i: number
  if (text.charCodeAt(0) === 32) {
    if (previousNetwork === undefined) return undefined
    network = previousNetwork
    i = skipSpaces(text, 0)
  } else {
    const sp = text.indexOf(' ')
    if (sp <= 0) return undefined
    network = text.slice(0, sp)
    if (network.indexOf('/') < 0) return undefined
    i = skipSpaces(text, sp)
  }

  const open = text.indexOf(' [', i)
  if (open < 0) return undefined
  const destination = destinationOf(text, i, open)
  if (destination === undefined) return undefined

  const close = text.indexOf(']', open + 2)
  const protoEnd = text.indexOf(' ', open + 2)
  if (close < 0 || protoEnd < 0 || protoEnd > close) return undefined
  const protocol = text.slice(open + 2, protoEnd)
  let sinceEnd = close
  let from: string | undefined
  const fromAt = text.indexOf(' from ', protoEnd)
  if (fromAt >= 0 && fromAt < close) {
    sinceEnd = fromAt
    from = text.slice(fromAt + 6, close)
  }
  const since = parseBirdTimestamp(text.slice(protoEnd + 1, sinceEnd))

  let p = close + 1
  let placement: 'FIB' | 'RIB' = 'RIB'
  let kernelSyncError = false
  if (text.charCodeAt(p) === 32) {
    const mark = text.charCodeAt(p + 1)
    if (mark === 42 /* * */) {
      placement = 'FIB'
      p += 2
    } else if (mark === 33 /* ! */) {
      placement = 'FIB'
      kernelSyncError = true
      p += 2
    }
  }

  // " (100)" or BGP's " (100[-][/metric]) [AS65000i]"
  if (text.charCodeAt(p) !== 32 || text.charCodeAt(p + 1) !== 40) return undefined
  p += 2
  let preference = 0
  const prefStart = p
  for (let c = text.charCodeAt(p); c >= 48 && c <= 57; c = text.charCodeAt(++p)) preference = preference * 10 + c - 48
  if (p === prefStart) return undefined
  if (text.charCodeAt(p) === 45 /* - */) p++
  let igpMetric: Route['igpMetric']
  if (text.charCodeAt(p) === 47 /* / */) {
    p++
    const c = text.charCodeAt(p)
    if (c === 45) {
      igpMetric = 'unresolvable'
      p++
    } else if (c === 63) {
      igpMetric = 'unknown'
      p++
    } else {
      let metric = 0
      const metricStart = p
      for (let d = c; d >= 48 && d <= 57; d = text.charCodeAt(++p)) metric = metric * 10 + d - 48
      if (p === metricStart) return undefined
      igpMetric = metric
    }
  }
  if (text.charCodeAt(p) !== 41 /* ) */) return undefined
  p++

  let originAs: number | undefined
  let origin: BgpOrigin | undefined
  if (text.charCodeAt(p) === 32 && text.charCodeAt(p + 1) === 91 /* [ */) {
    const end = text.indexOf(']', p + 2)
    if (end > 0) {
      let q = p + 2
      let asn: number | undefined
      if (text.startsWith('AS', q)) {
        q += 2
        const asStart = q
        let n = 0
        for (let c = text.charCodeAt(q); c >= 48 && c <= 57; c = text.charCodeAt(++q)) n = n * 10 + c - 48
        if (q > asStart) asn = n
      }
      const letter = end === q + 1 ? ORIGIN_LETTERS[text[q] as string] : undefined
      // Only BGP's "[AS…x]" shape; other protocols put other things in brackets.
      if ((end === q || letter !== undefined) && (asn !== undefined || letter !== undefined)) {
        originAs = asn
        origin = letter
      }
    }
  }

  return {
    network,
    destination,
    protocol,
    since,
    from,
    placement,
    kernelSyncError,
    preference,
    igpMetric,
    originAs,
    origin,
    type: undefined,
    attributes: undefined,
    bgp: undefined,
  }
}

function parseDestination(text: string, from: number, to: number): RouteDestination | undefined {
  switch (text.charCodeAt(from)) {
    case 118 /* v */: {
      if (!text.startsWith('via ', from)) return undefined
      const on = text.indexOf(' on ', from + 4)
      if (on < 0 || on > to) return undefined
      return { kind: 'via', gateway: text.slice(from + 4, on), interface: text.slice(on + 4, to) }
    }
    case 100 /* d */:
      if (!text.startsWith('dev ', from)) return undefined
      return { kind: 'dev', interface: text.slice(from + 4, to) }
    case 98 /* b */:
      return word(text, from, to, 'blackhole') ? BLACKHOLE : undefined
    case 117 /* u */:
      return word(text, from, to, 'unreachable') ? UNREACHABLE : undefined
    case 112 /* p */:
      return word(text, from, to, 'prohibited') ? PROHIBIT : undefined
    case 109 /* m */:
      return word(text, from, to, 'multipath') ? { kind: 'multipath', nextHops: [] } : undefined
    default:
      return undefined
  }
}

function word(text: string, from: number, to: number, w: string): boolean {
  return to - from === w.length && text.startsWith(w, from)
}

/** "\tvia 10.0.0.1 on eth0 weight 1" under a multipath route. */
function nextHopLine(route: MutableRoute, text: string): boolean {
  const dest = route.destination
  if (dest.kind !== 'multipath') return false
  const on = text.indexOf(' on ', 5)
  const weightAt = text.indexOf(' weight ', on + 4)
  if (on < 0 || weightAt < 0) return false
  const weight = Number(text.slice(weightAt + 8))
  if (!Number.isInteger(weight)) return false
  ;(dest.nextHops as NextHop[]).push({ gateway: text.slice(5, on), interface: text.slice(on + 4, weightAt), weight })
  return true
}

// `show route all` repeats a handful of distinct types a million times: share the
// (frozen) results, as timestamp.ts does for times.
const routeTypes = new Map<string, RouteType | undefined>()
const ROUTE_TYPES_LIMIT = 256

function routeType(value: string): RouteType | undefined {
  if (routeTypes.has(value)) return routeTypes.get(value)
  const type = parseRouteType(value)
  if (routeTypes.size >= ROUTE_TYPES_LIMIT) routeTypes.clear()
  routeTypes.set(value, type === undefined ? undefined : Object.freeze(type))
  return routeTypes.get(value)
}

/** "BGP unicast univ" (BIRD 1.6) or "BGP univ" (BIRD 2, which routes unicast only and no longer says so). */
function parseRouteType(value: string): RouteType | undefined {
  const words = value.split(' ')
  if (words.length === 2) words.splice(1, 0, 'unicast')
  const [source, cast, scope, extra] = words
  if (extra !== undefined || source === undefined || cast === undefined || scope === undefined) return undefined
  if (!SOURCES.has(source) || !CASTS.has(cast) || !SCOPES.has(scope)) return undefined
  return { source, cast, scope } as RouteType
}

function skipSpaces(text: string, from: number): number {
  let i = from
  while (text.charCodeAt(i) === 32) i++
  return i
}
