import { parseIP } from '../../../api/validate/ip.js'
import { canonicalPrefix, type DesiredRoute, type Family } from './rib.js'

/**
 * The kernel's side: what `ip -N -j route show` prints, the changes that turn it into the
 * desired routes, and those changes as `ip -batch` lines. Pure.
 *
 * A kernel route is identified by table, destination and metric (IPv4 also by TOS), not by
 * protocol: `ip route replace` would overwrite another protocol's route in the same slot.
 * So a slot held by a route of another protocol is left alone and reported as a conflict;
 * falconer adds (`add`, which fails rather than overwrite) where it holds nothing and
 * replaces only its own routes.
 */
export interface KernelRoute {
  readonly prefix: string
  readonly family: Family
  readonly kind: 'unicast' | 'blackhole' | 'other'
  /** Gateways, sorted; empty for a blackhole or a device route. */
  readonly nexthops: readonly string[]
  readonly protocol: number
  readonly metric: number
}

/** The metric falconer programs with (none given): the kernel's default per family. */
export const defaultMetric = (family: Family): number => (family === 4 ? 0 : 1024)

const RTN_UNICAST = 1
const RTN_BLACKHOLE = 6

interface IpRouteJson {
  readonly dst?: string
  readonly type?: string
  readonly protocol?: string
  readonly metric?: number
  readonly gateway?: string
  readonly nexthops?: readonly { readonly gateway?: string }[]
}

/** `ip -N -j -4|-6 route show table main`. Unparseable entries (multicast…) are skipped. */
export function parseIpRoutes(json: string, family: Family): KernelRoute[] {
  const rows = JSON.parse(json === '' ? '[]' : json) as IpRouteJson[]
  const out: KernelRoute[] = []
  for (const r of rows) {
    const dst = r.dst === 'default' ? (family === 4 ? '0.0.0.0/0' : '::/0') : r.dst
    const prefix = dst === undefined ? undefined : canonicalPrefix(dst)
    if (prefix === undefined || prefix.family !== family) continue
    const type = r.type === undefined ? RTN_UNICAST : Number(r.type)
    const gateways = r.nexthops !== undefined ? r.nexthops.map((h) => h.gateway) : [r.gateway]
    out.push({
      prefix: prefix.cidr,
      family,
      kind: type === RTN_BLACKHOLE ? 'blackhole' : type === RTN_UNICAST ? 'unicast' : 'other',
      nexthops: gateways.filter((g): g is string => g !== undefined).map(canonicalAddress).sort(),
      protocol: Number(r.protocol ?? 0),
      metric: r.metric ?? 0,
    })
  }
  return out
}

function canonicalAddress(text: string): string {
  try {
    return parseIP(text).address
  } catch {
    return text
  }
}

/**
 * BGP next hops → the gateways the kernel can use. A next hop that is not on a connected
 * network (an iBGP peer behind a router) is reached through the kernel's own route to it,
 * as BIRD's `gateway recursive` does: `gateways` maps each such next hop to the gateway
 * `ip route get` found (absent: use the next hop itself).
 */
export function withGateways(desired: ReadonlyMap<string, DesiredRoute>, gateways: ReadonlyMap<string, string>): Map<string, DesiredRoute> {
  const out = new Map<string, DesiredRoute>()
  for (const [prefix, r] of desired) {
    if (r.kind !== 'unicast') {
      out.set(prefix, r)
      continue
    }
    const hops = [...new Set(r.nexthops.map((h) => gateways.get(h) ?? h))].sort()
    out.set(prefix, { ...r, nexthops: hops })
  }
  return out
}

/**
 * `ip -j -batch -` of `route get ADDR` lines: one JSON array per answered line (none for
 * an unreachable address). → address → its gateway, for addresses reached through one.
 */
export function parseRouteGets(stdout: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue
    let rows: { dst?: string; gateway?: string }[]
    try {
      rows = JSON.parse(line) as { dst?: string; gateway?: string }[]
    } catch {
      continue
    }
    for (const r of rows) {
      if (r.dst !== undefined && r.gateway !== undefined) out.set(canonicalAddress(r.dst), canonicalAddress(r.gateway))
    }
  }
  return out
}

export type KernelOp =
  | { readonly op: 'add' | 'replace'; readonly route: DesiredRoute }
  | { readonly op: 'del'; readonly route: KernelRoute }

export interface KernelPlan {
  readonly ops: readonly KernelOp[]
  /** Prefixes wanted but held by another protocol's route in the same slot. */
  readonly conflicts: readonly { readonly prefix: string; readonly protocol: number }[]
}

/**
 * The changes from `kernel` (every route of the main table, any protocol) to `desired`.
 * With `keepUnwanted` (gobgpd's RIB may be incomplete: it or a peer just started), routes
 * and next hops of ours that are no longer wanted stay for now; additions do not wait.
 */
export function planKernelChanges(
  desired: ReadonlyMap<string, DesiredRoute>,
  kernel: readonly KernelRoute[],
  opts: { readonly protocol: number; readonly keepUnwanted: boolean },
): KernelPlan {
  const ops: KernelOp[] = []
  const conflicts: { prefix: string; protocol: number }[] = []
  const inSlot = new Map<string, KernelRoute>()
  for (const r of kernel) {
    if (r.metric === defaultMetric(r.family)) inSlot.set(r.prefix, r)
  }
  for (const wanted of desired.values()) {
    const have = inSlot.get(wanted.prefix)
    // Holding back also holds next hops: an ECMP route does not shrink to the peers that are back so far.
    const want = opts.keepUnwanted && have?.protocol === opts.protocol ? withKeptNexthops(wanted, have) : wanted
    if (have === undefined) ops.push({ op: 'add', route: want })
    else if (have.protocol !== opts.protocol) conflicts.push({ prefix: want.prefix, protocol: have.protocol })
    else if (!sameRoute(want, have)) ops.push({ op: 'replace', route: want })
  }
  if (!opts.keepUnwanted) {
    for (const r of kernel) {
      if (r.protocol !== opts.protocol) continue
      // Ours in another slot (another metric) is never what falconer programs.
      if (desired.has(r.prefix) && r.metric === defaultMetric(r.family)) continue
      ops.push({ op: 'del', route: r })
    }
  }
  return { ops, conflicts }
}

function withKeptNexthops(want: DesiredRoute, have: KernelRoute): DesiredRoute {
  if (want.kind !== 'unicast' || have.kind !== 'unicast') return want
  return { ...want, nexthops: [...new Set([...want.nexthops, ...have.nexthops])].sort() }
}

function sameRoute(want: DesiredRoute, have: KernelRoute): boolean {
  if (want.kind === 'blackhole') return have.kind === 'blackhole'
  return have.kind === 'unicast' && have.nexthops.length === want.nexthops.length && have.nexthops.every((h, i) => h === want.nexthops[i])
}

/** One `ip -batch` line per op (family taken from the prefix). */
export function batchLine(op: KernelOp, protocol: number): string {
  if (op.op === 'del') return `route del ${op.route.prefix} proto ${protocol} metric ${op.route.metric}`
  const r = op.route
  if (r.kind === 'blackhole') return `route ${op.op} blackhole ${r.prefix} proto ${protocol}`
  const via = r.nexthops.length === 1 ? `via ${r.nexthops[0]}` : r.nexthops.map((h) => `nexthop via ${h}`).join(' ')
  return `route ${op.op} ${r.prefix} proto ${protocol} ${via}`
}

/**
 * `ip -force -batch -` goes on after a failing line and prints the kernel's words, then
 * `Command failed -:N`. → line number (1-based) → message.
 */
export function parseBatchErrors(stderr: string): Map<number, string> {
  const out = new Map<number, string>()
  let pending: string[] = []
  for (const line of stderr.split('\n')) {
    const m = /^Command failed -:(\d+)\s*$/.exec(line)
    if (m === null) {
      if (line.trim() !== '') pending.push(line.trim())
      continue
    }
    out.set(Number(m[1]), pending.join('; ') || 'failed')
    pending = []
  }
  return out
}

/** A delete that found nothing: someone else already removed it, which is what was wanted. */
export const alreadyGone = (message: string): boolean => /No such process/i.test(message)
