import { isIPv4, isIPv6 } from 'node:net'
import { bgpAttributes } from '../../bird/replies/bgp-attributes.js'
import type { BgpDetails, NeighborCapability, ProtocolDetails, RouteCounts, SessionFlag } from '../../bird/replies/protocol-details.js'
import type { BgpState, ProtocolState } from '../../bird/replies/protocols.js'
import type { Route, RouteDestination } from '../../bird/replies/routes.js'
import type { BirdStatus } from '../../bird/replies/status.js'
import { parseBirdTimestamp, type BirdTimestamp } from '../../bird/replies/timestamp.js'
import type { IpFamily } from '../../status/samples.js'

/**
 * gobgp 3.10's JSON replies (`gobgp -j global`, `-j neighbor`, `-j global rib -a …`) read
 * into the shared reply types the BIRD parsers produce, so `node status`, CalicoNodeStatus,
 * health and metrics read a gobgpd node as they read a BIRD one. Pure: the clock and the
 * daemon's version and start time come in as arguments.
 *
 * The JSON is gobgp's protobuf API printed by Go: fields with their zero value are left
 * out (a session_state of 0, an admin_state of UP, a count of 0), so every field is
 * optional here.
 */

// ─── gobgp's JSON, as far as it is read ─────────────────────────────────────

export interface GobgpGlobal {
  readonly asn?: number
  readonly router_id?: string
  readonly listen_port?: number
  readonly listen_addresses?: readonly string[]
}

interface Seconds {
  readonly seconds?: number
}

interface GobgpFamily {
  readonly afi?: number
  readonly safi?: number
}

interface GobgpAfiSafi {
  readonly config?: { readonly family?: GobgpFamily; readonly enabled?: boolean }
  readonly state?: { readonly family?: GobgpFamily; readonly received?: number; readonly accepted?: number; readonly advertised?: number }
  readonly mp_graceful_restart?: { readonly state?: { readonly enabled?: boolean; readonly received?: boolean; readonly advertised?: boolean } }
}

export interface GobgpPeer {
  readonly conf?: {
    readonly description?: string
    readonly local_asn?: number
    readonly neighbor_address?: string
    readonly peer_asn?: number
    readonly admin_down?: boolean
  }
  readonly state?: {
    readonly neighbor_address?: string
    readonly peer_asn?: number
    readonly session_state?: number
    readonly admin_state?: number
    readonly router_id?: string
    readonly remote_cap?: readonly { readonly type_url?: string }[]
  }
  readonly timers?: {
    readonly config?: { readonly hold_time?: number; readonly keepalive_interval?: number }
    readonly state?: { readonly negotiated_hold_time?: number; readonly keepalive_interval?: number; readonly uptime?: Seconds; readonly downtime?: Seconds }
  }
  readonly transport?: { readonly local_address?: string; readonly remote_port?: number; readonly passive_mode?: boolean }
  readonly ebgp_multihop?: { readonly enabled?: boolean }
  readonly route_reflector?: { readonly route_reflector_client?: boolean }
  readonly graceful_restart?: { readonly enabled?: boolean; readonly peer_restarting?: boolean }
  readonly apply_policy?: {
    readonly import_policy?: { readonly policies?: readonly { readonly name?: string }[] }
    readonly export_policy?: { readonly policies?: readonly { readonly name?: string }[] }
  }
  readonly afi_safis?: readonly GobgpAfiSafi[]
}

interface GobgpAttribute {
  readonly type?: number
  readonly value?: unknown
  readonly nexthop?: string
  readonly metric?: number
  readonly as_paths?: readonly { readonly segment_type?: number; readonly asns?: readonly number[] }[]
  readonly communities?: readonly number[]
  readonly as?: number
  readonly address?: string
  readonly id?: string
}

export interface GobgpPath {
  readonly nlri?: { readonly prefix?: string }
  /** When gobgpd got the path, in Unix seconds. */
  readonly age?: number
  readonly best?: boolean
  readonly stale?: boolean
  readonly attrs?: readonly GobgpAttribute[]
  /** Absent for a path this gobgpd originated (`gobgp global rib add`). */
  readonly 'neighbor-ip'?: string
  readonly 'source-id'?: string
}

/** `gobgp -j global rib -a ipv4|ipv6`: destination → its paths. */
export type GobgpRib = Readonly<Record<string, readonly GobgpPath[]>>

// ─── the state mapping ──────────────────────────────────────────────────────

/** gobgp's `session_state` (its API's enum; 0 = unknown, left out of the JSON). */
export const SESSION_STATES: Readonly<Record<number, string>> = {
  0: 'UNKNOWN',
  1: 'IDLE',
  2: 'CONNECT',
  3: 'ACTIVE',
  4: 'OPENSENT',
  5: 'OPENCONFIRM',
  6: 'ESTABLISHED',
}

/** gobgp's `admin_state`: 0 UP (left out of the JSON), 1 DOWN (`admin-down`), 2 PFX_CT (prefix limit hit). */
const ADMIN_DOWN = 1
const ADMIN_PREFIX_LIMIT = 2

/**
 * How a gobgp neighbor reads as a BIRD BGP protocol: BIRD's protocol state (the STATE
 * column of `node status`) and BGP state (the first word of INFO, and what
 * CalicoNodeStatus reports). The table in docs/backends.md is this one.
 *
 * | gobgp                          | protocol state | BGP state / INFO                |
 * |--------------------------------|----------------|---------------------------------|
 * | ESTABLISHED                    | up             | Established                     |
 * | OPENSENT / OPENCONFIRM         | start          | OpenSent / OpenConfirm          |
 * | CONNECT                        | start          | Connect                         |
 * | ACTIVE                         | start          | Active                          |
 * | ACTIVE, passive-mode neighbor  | start          | Passive (BIRD's word for a passive session waiting to be dialled) |
 * | IDLE                           | start          | Idle                            |
 * | admin-down (Idle(Admin))       | down           | (empty), BGP state Down: a `disabled` BIRD protocol |
 * | prefix limit hit (Idle(PfxCt)) | down           | Route limit exceeded            |
 * | UNKNOWN                        | unknown        | (empty)                         |
 */
export function neighborState(peer: GobgpPeer): { state: ProtocolState; bgpState: BgpState | undefined; info: string } {
  const admin = peer.state?.admin_state ?? 0
  if (admin === ADMIN_DOWN || peer.conf?.admin_down === true) return { state: 'down', bgpState: 'Down', info: '' }
  if (admin === ADMIN_PREFIX_LIMIT) return { state: 'down', bgpState: 'Down', info: 'Route limit exceeded' }
  switch (peer.state?.session_state ?? 0) {
    case 6:
      return { state: 'up', bgpState: 'Established', info: 'Established' }
    case 5:
      return { state: 'start', bgpState: 'OpenConfirm', info: 'OpenConfirm' }
    case 4:
      return { state: 'start', bgpState: 'OpenSent', info: 'OpenSent' }
    case 3:
      return peer.transport?.passive_mode === true
        ? { state: 'start', bgpState: 'Passive', info: 'Passive' }
        : { state: 'start', bgpState: 'Active', info: 'Active' }
    case 2:
      return { state: 'start', bgpState: 'Connect', info: 'Connect' }
    case 1:
      return { state: 'start', bgpState: 'Idle', info: 'Idle' }
    default:
      return { state: 'unknown', bgpState: undefined, info: '' }
  }
}

// ─── times ──────────────────────────────────────────────────────────────────

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * A Unix time as BIRD's `iso long` format prints it (`YYYY-MM-DD HH:MM:SS`, local time), the
 * format falconer's BIRD templates use, so SINCE columns and CalicoNodeStatus times read
 * the same for every backend.
 */
export function isoLong(date: Date): BirdTimestamp {
  const text =
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  return parseBirdTimestamp(text)
}

function fromSeconds(s: number | undefined): BirdTimestamp | undefined {
  return s === undefined || s <= 0 ? undefined : isoLong(new Date(s * 1000))
}

// ─── global → BirdStatus ────────────────────────────────────────────────────

export interface DaemonFacts {
  /** e.g. "gobgpd 3.10.0". */
  readonly version: string
  /** When gobgpd started (its API socket's creation), if known. */
  readonly startedAt: Date | undefined
  readonly now: Date
}

/**
 * `gobgp -j global` as BIRD's `show status`. gobgpd says neither when it started nor when
 * it last re-read its config: the start is the API socket's time (`startedAt`), and the
 * last reconfiguration is reported as that start too, which is what BIRD says before its
 * first `configure`.
 */
export function globalStatus(global: GobgpGlobal | null, facts: DaemonFacts): BirdStatus {
  const routerId = global?.router_id
  if (routerId === undefined || routerId === '') throw new GobgpReplyError('global', 'router_id')
  const started = isoLong(facts.startedAt ?? facts.now)
  return {
    version: facts.version,
    routerId,
    serverTime: isoLong(facts.now),
    lastReboot: started,
    lastReconfiguration: started,
    state: 'running',
    message: 'Daemon is up and running',
    gracefulRestartRecovery: false,
  }
}

/** A gobgp reply lacked what its result cannot do without. */
export class GobgpReplyError extends Error {
  override readonly name = 'GobgpReplyError'
  constructor(
    readonly reply: string,
    readonly missing: string,
  ) {
    super(`incomplete gobgp "${reply}" reply: missing ${missing}`)
  }
}

// ─── neighbor → ProtocolDetails ─────────────────────────────────────────────

export function addressFamily(address: string): IpFamily | undefined {
  return isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined
}

/** The capabilities BIRD lists as "Neighbor caps", by gobgp's API message names. */
const CAPABILITIES: Readonly<Record<string, NeighborCapability>> = {
  RouteRefreshCapability: 'refresh',
  EnhancedRouteRefreshCapability: 'enhanced-refresh',
  GracefulRestartCapability: 'restart-aware',
  LongLivedGracefulRestartCapability: 'llgr-aware',
  FourOctetASNCapability: 'AS4',
}

/**
 * One neighbor as a BIRD BGP protocol. Its name is the neighbor's description, which
 * falconer sets to the Calico protocol name (`Mesh_10_99_0_2`); a neighbor without one is
 * named for its address and is not one of falconer's peers. Timers, the last error and
 * route change stats are left out: gobgp's neighbor list does not give them.
 */
export function neighborDetails(peer: GobgpPeer): ProtocolDetails | undefined {
  const address = peer.state?.neighbor_address ?? peer.conf?.neighbor_address
  if (address === undefined || address === '') return undefined
  const { state, bgpState, info } = neighborState(peer)
  const established = state === 'up'
  const time = established ? peer.timers?.state?.uptime?.seconds : peer.timers?.state?.downtime?.seconds
  const since = fromSeconds(time) ?? parseBirdTimestamp('')
  const name = nonEmpty(peer.conf?.description) ?? address
  const neighborAs = peer.state?.peer_asn ?? peer.conf?.peer_asn ?? 0
  const localAs = peer.conf?.local_asn
  const flags: SessionFlag[] = []
  if (peer.ebgp_multihop?.enabled === true) flags.push('multihop')
  if (peer.route_reflector?.route_reflector_client === true) flags.push('route-reflector')
  const caps = (peer.state?.remote_cap ?? []).flatMap((c) => {
    const cap = CAPABILITIES[c.type_url?.slice(c.type_url.lastIndexOf('.') + 1) ?? '']
    return cap === undefined ? [] : [cap]
  })
  // "restart-able": the neighbor keeps forwarding across its own restart for a family we share.
  if ((peer.afi_safis ?? []).some((a) => a.mp_graceful_restart?.state?.received === true)) caps.push('restart-able')
  const localAddress = peer.transport?.local_address
  const bgp: BgpDetails | undefined =
    bgpState === undefined
      ? undefined
      : {
          state: bgpState,
          neighborAddress: address,
          neighborInterface: undefined,
          neighborAs,
          neighborId: established ? nonEmpty(peer.state?.router_id) : undefined,
          neighborCapabilities: established ? caps : undefined,
          session: established ? { type: localAs !== undefined && localAs === neighborAs ? 'internal' : 'external', flags } : undefined,
          sourceAddress: established && localAddress !== '0.0.0.0' && localAddress !== '::' ? localAddress : undefined,
          holdTimer: undefined,
          keepaliveTimer: undefined,
          connectDelay: undefined,
          errorWait: undefined,
          restartTimer: undefined,
          routeLimit: undefined,
          lastError: undefined,
          gracefulRestartActive: peer.graceful_restart?.peer_restarting === true,
        }
  return {
    name,
    proto: 'BGP',
    table: 'master',
    state,
    since,
    info,
    bgp: bgpState === undefined ? undefined : { state: bgpState, lastError: state === 'down' && info !== '' ? info : undefined },
    preference: undefined,
    inputFilter: policyNames(peer.apply_policy?.import_policy?.policies),
    outputFilter: policyNames(peer.apply_policy?.export_policy?.policies),
    ...(peer.conf?.description !== undefined && { description: peer.conf.description }),
    routes: established ? routeCounts(peer.afi_safis ?? []) : undefined,
    routeChangeStats: undefined,
    bgpDetails: bgp,
  }
}

/**
 * BIRD's "Routes:" line from the neighbor's families: imported = accepted (after the
 * import policy), filtered = received but refused by the import policy (gobgpd keeps them
 * in its Adj-RIB-In, as BIRD does with `import keep filtered`), exported = advertised only
 * when the reply counts it (`gobgp neighbor ADDR` does, the list does not); gobgp never
 * says how many of a neighbor's routes won the best-path selection (BIRD's "preferred").
 */
function routeCounts(afiSafis: readonly GobgpAfiSafi[]): RouteCounts {
  let received = 0
  let accepted = 0
  let advertised: number | undefined
  for (const a of afiSafis) {
    received += a.state?.received ?? 0
    accepted += a.state?.accepted ?? 0
    if (a.state?.advertised !== undefined) advertised = (advertised ?? 0) + a.state.advertised
  }
  return { imported: accepted, filtered: received - accepted, exported: advertised, preferred: undefined }
}

function policyNames(policies: readonly { readonly name?: string }[] | undefined): string | undefined {
  const names = (policies ?? []).flatMap((p) => (p.name === undefined ? [] : [p.name]))
  return names.length === 0 ? undefined : names.join(', ')
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s
}

/**
 * `gobgp -j neighbor` for one family (an IPv4 neighbor's session is the IPv4 one, as BIRD
 * 1.6's bird and bird6 split them), in address order: gobgpd lists them in no stable
 * order, `gobgp neighbor` sorts them by address too.
 */
export function familyNeighbors(peers: readonly GobgpPeer[] | null, family: IpFamily): ProtocolDetails[] {
  const out: { address: string; details: ProtocolDetails }[] = []
  for (const peer of peers ?? []) {
    const details = neighborDetails(peer)
    const address = details?.bgpDetails?.neighborAddress ?? peer.state?.neighbor_address ?? peer.conf?.neighbor_address
    if (details === undefined || address === undefined || addressFamily(address) !== family) continue
    out.push({ address, details })
  }
  return out.sort((a, b) => compareAddress(a.address, b.address)).map((o) => o.details)
}

function compareAddress(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}

// ─── RIB → Route ────────────────────────────────────────────────────────────

/**
 * The protocol a path this gobgpd originated (`gobgp global rib add`: the node's blocks,
 * and exported pools and service addresses) is reported under: BIRD reports the same
 * routes from its static protocol, with a blackhole destination.
 */
export const ORIGINATED_PROTOCOL = 'static_originated'

/** BIRD's default preferences for the same kinds of routes (gobgpd has none). */
const BGP_PREFERENCE = 100
const STATIC_PREFERENCE = 200

const ORIGINS = ['IGP', 'EGP', 'Incomplete'] as const
const BLACKHOLE: RouteDestination = { kind: 'blackhole' }
const ANY_ADDRESS: ReadonlySet<string> = new Set(['0.0.0.0', '::', ''])

/**
 * `gobgp -j global rib -a ipv4|ipv6` as BIRD's `show route all`: one Route per path, the
 * best one in the FIB (falconer programs it into the kernel), the others in the RIB.
 * `protocolOf` names the neighbor a path came from (its description); gobgp does not know
 * the interface a next hop is on, so `via` routes carry an empty interface.
 */
export function ribRoutes(rib: GobgpRib | null, protocolOf: (neighbor: string) => string | undefined): Route[] {
  const out: Route[] = []
  for (const [prefix, paths] of Object.entries(rib ?? {})) {
    for (const path of paths) {
      const route = pathRoute(path.nlri?.prefix ?? prefix, path, protocolOf)
      if (route !== undefined) out.push(route)
    }
  }
  return out
}

function pathRoute(network: string, path: GobgpPath, protocolOf: (neighbor: string) => string | undefined): Route | undefined {
  const attrs = path.attrs ?? []
  const attributes: Record<string, string> = {}
  let nextHop: string | undefined
  let origin: (typeof ORIGINS)[number] | undefined
  let asPath: number[] | undefined
  for (const a of attrs) {
    switch (a.type) {
      case 1:
        origin = ORIGINS[typeof a.value === 'number' ? a.value : 0]
        if (origin !== undefined) attributes['BGP.origin'] = origin
        break
      case 2: {
        const words: string[] = []
        asPath = []
        for (const seg of a.as_paths ?? []) {
          const asns = seg.asns ?? []
          // segment_type 1 is an AS_SET, printed by BIRD in braces.
          if (seg.segment_type === 1) words.push(`{${asns.join(' ')}}`)
          else words.push(...asns.map(String))
          asPath.push(...asns)
        }
        attributes['BGP.as_path'] = words.join(' ')
        break
      }
      case 3:
      case 14:
        if (a.nexthop !== undefined) nextHop = a.nexthop
        break
      case 4:
        if (a.metric !== undefined) attributes['BGP.med'] = String(a.metric)
        break
      case 5:
        if (typeof a.value === 'number') attributes['BGP.local_pref'] = String(a.value)
        break
      case 6:
        attributes['BGP.atomic_aggr'] = ''
        break
      case 7:
        if (a.address !== undefined) attributes['BGP.aggregator'] = `${a.address} AS${a.as ?? 0}`
        break
      case 8:
        attributes['BGP.community'] = (a.communities ?? []).map((c) => `(${Math.floor(c / 65536)},${c % 65536})`).join(' ')
        break
      case 9:
        if (a.id !== undefined) attributes['BGP.originator_id'] = a.id
        break
      case 10:
        if (Array.isArray(a.value)) attributes['BGP.cluster_list'] = (a.value as unknown[]).map(String).join(' ')
        break
      case 16:
        attributes['BGP.ext_community'] = extCommunities(a.value)
        break
      case 32:
        attributes['BGP.large_community'] = largeCommunities(a.value)
        break
    }
  }
  const neighbor = path['neighbor-ip']
  const originated = neighbor === undefined && (nextHop === undefined || ANY_ADDRESS.has(nextHop))
  if (!originated && nextHop !== undefined) attributes['BGP.next_hop'] = nextHop
  const protocol = originated ? ORIGINATED_PROTOCOL : neighbor === undefined ? undefined : (protocolOf(neighbor) ?? neighbor)
  if (protocol === undefined || (!originated && nextHop === undefined)) return undefined
  return {
    network,
    destination: originated || nextHop === undefined ? BLACKHOLE : { kind: 'via', gateway: nextHop, interface: '' },
    protocol,
    since: fromSeconds(path.age) ?? parseBirdTimestamp(''),
    from: !originated && neighbor !== nextHop ? neighbor : undefined,
    placement: path.best === true ? 'FIB' : 'RIB',
    kernelSyncError: false,
    preference: originated ? STATIC_PREFERENCE : BGP_PREFERENCE,
    igpMetric: undefined,
    originAs: originated ? undefined : asPath?.at(-1),
    origin: originated ? undefined : origin,
    type: { source: originated ? 'static' : 'BGP', cast: 'unicast', scope: 'univ' },
    attributes: originated ? {} : attributes,
    bgp: originated ? undefined : bgpAttributes(attributes),
  }
}

/** `[{"type":0,"subtype":2,"value":"64513:100"}]` → "(rt, 64513, 100)", BIRD's spelling. */
function extCommunities(value: unknown): string {
  if (!Array.isArray(value)) return ''
  const kinds: Readonly<Record<number, string>> = { 2: 'rt', 3: 'ro' }
  return value
    .flatMap((v: { subtype?: number; value?: string }) => {
      const kind = kinds[v.subtype ?? -1]
      const parts = v.value?.split(':')
      return kind === undefined || parts?.length !== 2 ? [] : [`(${kind}, ${parts[0]}, ${parts[1]})`]
    })
    .join(' ')
}

/** `[{"ASN":64513,"LocalData1":1,"LocalData2":2}]` → "(64513, 1, 2)". */
function largeCommunities(value: unknown): string {
  if (!Array.isArray(value)) return ''
  return value.map((v: { ASN?: number; LocalData1?: number; LocalData2?: number }) => `(${v.ASN ?? 0}, ${v.LocalData1 ?? 0}, ${v.LocalData2 ?? 0})`).join(' ')
}
