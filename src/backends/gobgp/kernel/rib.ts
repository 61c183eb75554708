import { cidrContains, parseCidr, parseIP } from '../../../api/validate/ip.js'

/**
 * gobgpd's RIB → the routes the kernel should hold. Pure: the JSON gobgp printed and the
 * node's own blocks in, kernel routes out.
 *
 * What gobgp 3.10 prints (test/fixtures/gobgp-3.10.0/rib-*.json): `gobgp -j global rib -a
 * ipv4|ipv6` is an object keyed by prefix (`{}` when empty); each value lists that
 * prefix's paths, each with `best`, `stale` (kept through a peer's graceful restart),
 * `neighbor-ip` (absent for paths this node originated) and `attrs` by BGP attribute type:
 * 1 ORIGIN `value`, 2 AS_PATH `as_paths[].asns`, 3 NEXT_HOP `nexthop` (IPv4), 4 MED
 * `value`, 5 LOCAL_PREF `value`, 14 MP_REACH_NLRI `nexthop` (IPv6). A path this node
 * originated (`gobgp global rib add`) has next hop 0.0.0.0 or ::.
 *
 * gobgp marks exactly one path `best` and says nothing about multipath, so the ECMP set is
 * decided here the way BIRD's kernel protocol (`merge paths on`) decides it: the best path
 * plus every path that ties with it on LOCAL_PREF, AS path length, ORIGIN, MED (compared
 * only between paths from the same neighbouring AS) and internal/external.
 */
export interface GobgpAttr {
  readonly type: number
  readonly value?: unknown
  readonly nexthop?: string
  readonly as_paths?: readonly { readonly segment_type?: number; readonly asns?: readonly number[] }[]
}

export interface GobgpPath {
  readonly nlri?: { readonly prefix?: string }
  readonly best?: boolean
  readonly stale?: boolean
  readonly withdrawal?: boolean
  readonly attrs?: readonly GobgpAttr[]
  readonly 'neighbor-ip'?: string
  readonly 'source-id'?: string
}

/** `gobgp -j global rib -a FAMILY`: prefix → paths; `null` when gobgp printed nothing. */
export type GobgpRib = Readonly<Record<string, readonly GobgpPath[]>> | null

/** One entry of `gobgp -j neighbor` (only what the kernel programmer reads). */
export interface GobgpNeighbor {
  readonly conf?: { readonly neighbor_address?: string; readonly peer_asn?: number; readonly local_asn?: number }
  readonly state?: { readonly session_state?: number; readonly neighbor_address?: string }
  readonly timers?: { readonly state?: { readonly uptime?: { readonly seconds?: number } } }
  readonly afi_safis?: readonly {
    readonly mp_graceful_restart?: {
      readonly state?: { readonly received?: boolean; readonly advertised?: boolean; readonly end_of_rib_received?: boolean }
    }
  }[]
}

export type Family = 4 | 6

export type DesiredRoute =
  | { readonly kind: 'unicast'; readonly prefix: string; readonly family: Family; readonly nexthops: readonly string[] }
  | { readonly kind: 'blackhole'; readonly prefix: string; readonly family: Family }

export interface DesiredRoutes {
  /** Keyed by canonical prefix (`10.0.0.0/26`, `fd00::/122`). */
  readonly routes: ReadonlyMap<string, DesiredRoute>
  /** What could not be used, one line each (logged by the caller). */
  readonly problems: readonly string[]
}

/** gobgp's session_state for Established. */
export const ESTABLISHED = 6

const ORIGIN = 1
const AS_PATH = 2
const NEXT_HOP = 3
const MED = 4
const LOCAL_PREF = 5
const MP_REACH_NLRI = 14
const AS_SET = 1

/**
 * The kernel routes the RIB and the node's blocks call for. A local block is always a
 * blackhole, whatever the RIB holds for it; a prefix whose best path this node originated
 * gets no route (its own block or an address it advertises: nothing to forward to).
 */
export function desiredRoutes(input: {
  readonly ribs: readonly GobgpRib[]
  readonly neighbors: readonly GobgpNeighbor[]
  readonly localBlocks: readonly string[]
  /**
   * Ranges whose routes stay out of the kernel though they are in the RIB: service address
   * ranges (advertised only) and pools whose routes are left to the dataplane — what the
   * BIRD backends' kernel filter rejects (`net ~ RANGE`: the range and everything in it).
   */
  readonly unprogrammed?: readonly string[]
}): DesiredRoutes {
  const problems: string[] = []
  const routes = new Map<string, DesiredRoute>()
  const external = externalNeighbors(input.neighbors)
  const unprogrammed: string[] = []
  for (const range of input.unprogrammed ?? []) {
    const c = canonicalPrefix(range)
    if (c === undefined) problems.push(`range ${JSON.stringify(range)} is not a CIDR; ignored`)
    else unprogrammed.push(c.cidr)
  }
  // Different families never contain each other.
  const programmable = (cidr: string) => !unprogrammed.some((r) => cidrContains(r, cidr))
  for (const rib of input.ribs) {
    for (const [key, paths] of Object.entries(rib ?? {})) {
      const prefix = canonicalPrefix(key)
      if (prefix === undefined) {
        problems.push(`RIB prefix ${JSON.stringify(key)} is not a CIDR; skipped`)
        continue
      }
      if (!programmable(prefix.cidr)) continue
      const route = routeFor(prefix.cidr, prefix.family, paths, external, problems)
      if (route !== undefined) routes.set(prefix.cidr, route)
    }
  }
  for (const block of input.localBlocks) {
    const prefix = canonicalPrefix(block)
    if (prefix === undefined) {
      problems.push(`local block ${JSON.stringify(block)} is not a CIDR; skipped`)
      continue
    }
    routes.set(prefix.cidr, { kind: 'blackhole', prefix: prefix.cidr, family: prefix.family })
  }
  return { routes, problems }
}

function routeFor(
  prefix: string,
  family: Family,
  paths: readonly GobgpPath[],
  external: ReadonlyMap<string, boolean>,
  problems: string[],
): DesiredRoute | undefined {
  const live = paths.filter((p) => p.withdrawal !== true)
  const best = live.find((p) => p.best === true)
  if (best === undefined) return undefined
  const bestHop = nextHopOf(best, family)
  if (bestHop === undefined || bestHop === 'local') return undefined
  const bestKey = compareKey(best, external)
  const nexthops = new Set<string>()
  for (const p of live) {
    if (p !== best && !sameKey(bestKey, compareKey(p, external))) continue
    const hop = nextHopOf(p, family)
    if (hop === undefined || hop === 'local') continue
    if (hop.includes(':') !== (family === 6)) {
      // RFC 8950 (an IPv4 prefix over an IPv6 next hop): Calico does not use it, and falconer does not program it.
      problems.push(`${prefix}: next hop ${hop} is of the other address family; path skipped`)
      continue
    }
    if (family === 6 && hop.toLowerCase().startsWith('fe80:')) {
      // A link-local next hop needs the interface it was learned on, which the RIB does not say.
      problems.push(`${prefix}: link-local next hop ${hop} cannot be programmed without an interface; path skipped`)
      continue
    }
    nexthops.add(hop)
  }
  if (nexthops.size === 0) return undefined
  return { kind: 'unicast', prefix, family, nexthops: [...nexthops].sort() }
}

/** The path's next hop, canonical; 'local' for paths this node originated. */
function nextHopOf(p: GobgpPath, family: Family): string | 'local' | undefined {
  const attr = p.attrs?.find((a) => a.type === (family === 4 ? NEXT_HOP : MP_REACH_NLRI)) ?? p.attrs?.find((a) => a.type === NEXT_HOP || a.type === MP_REACH_NLRI)
  const text = attr?.nexthop
  if (text === undefined) return p['neighbor-ip'] === undefined ? 'local' : undefined
  if (text === '0.0.0.0' || text === '::') return 'local'
  try {
    return parseIP(text).address
  } catch {
    return undefined
  }
}

interface CompareKey {
  readonly localPref: number
  readonly pathLength: number
  readonly origin: number
  readonly med: number
  /** First AS of the AS path; undefined for a path from inside this AS. */
  readonly neighborAs: number | undefined
  readonly external: boolean | undefined
}

function compareKey(p: GobgpPath, external: ReadonlyMap<string, boolean>): CompareKey {
  const attr = (type: number) => p.attrs?.find((a) => a.type === type)
  const num = (type: number, dflt: number) => {
    const v = attr(type)?.value
    return typeof v === 'number' ? v : dflt
  }
  let pathLength = 0
  let neighborAs: number | undefined
  for (const seg of attr(AS_PATH)?.as_paths ?? []) {
    const asns = seg.asns ?? []
    // An AS_SET counts as one hop (RFC 4271 9.1.2.2 a).
    pathLength += seg.segment_type === AS_SET ? Math.min(asns.length, 1) : asns.length
    if (neighborAs === undefined && seg.segment_type !== AS_SET) neighborAs = asns[0]
  }
  const from = p['neighbor-ip']
  return {
    // BGP's defaults when the attribute is absent (an eBGP path carries no LOCAL_PREF).
    localPref: num(LOCAL_PREF, 100),
    pathLength,
    origin: num(ORIGIN, 0),
    med: num(MED, 0),
    neighborAs,
    external: from === undefined ? undefined : external.get(canonicalAddress(from) ?? from),
  }
}

function sameKey(a: CompareKey, b: CompareKey): boolean {
  return (
    a.localPref === b.localPref &&
    a.pathLength === b.pathLength &&
    a.origin === b.origin &&
    (a.neighborAs !== b.neighborAs || a.med === b.med) &&
    a.external === b.external
  )
}

/** neighbor address → true when the session is eBGP. */
function externalNeighbors(neighbors: readonly GobgpNeighbor[]): Map<string, boolean> {
  const out = new Map<string, boolean>()
  for (const n of neighbors) {
    const address = canonicalAddress(n.conf?.neighbor_address ?? n.state?.neighbor_address ?? '')
    const peer = n.conf?.peer_asn
    const local = n.conf?.local_asn
    if (address === undefined || peer === undefined || local === undefined) continue
    out.set(address, peer !== local)
  }
  return out
}

/**
 * Whether gobgpd has heard everything its peers will send after it (or they) started:
 * every neighbor Established for `settleSeconds` at least, and every family whose peer
 * does graceful restart has had its End-of-RIB. Until then, routes missing from the RIB
 * may only not have arrived yet.
 */
export function ribSettled(neighbors: readonly GobgpNeighbor[], nowSeconds: number, settleSeconds = 5): boolean {
  // No neighbor at all is what a gobgpd that has not read its config yet shows: nothing to
  // judge by (a node without peers waits for settleMaxMs, with nothing learned to lose).
  if (neighbors.length === 0) return false
  return neighbors.every((n) => {
    if (n.state?.session_state !== ESTABLISHED) return false
    // End-of-RIB comes only where both sides announced graceful restart.
    const gr = (n.afi_safis ?? []).map((a) => a.mp_graceful_restart?.state).filter((s) => s?.received === true && s.advertised === true)
    if (gr.length > 0) return gr.every((s) => s?.end_of_rib_received === true)
    const since = n.timers?.state?.uptime?.seconds
    return since !== undefined && nowSeconds - since >= settleSeconds
  })
}

export function canonicalPrefix(text: string): { cidr: string; family: Family } | undefined {
  try {
    const p = parseCidr(text, '', { allowAddress: true, network: true })
    return { cidr: p.cidr, family: p.family }
  } catch {
    return undefined
  }
}

function canonicalAddress(text: string): string | undefined {
  try {
    return parseIP(text).address
  } catch {
    return undefined
  }
}
