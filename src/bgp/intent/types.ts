import type { Snapshot } from '../../api/snapshot.js'

/**
 * The BGP intent: everything bird.cfg / bird6.cfg must say, as plain validated data.
 * Built by the pure `buildIntent` from a snapshot; turned into text by the renderer.
 * Every string here has been parsed and re-serialised (addresses, CIDRs) or checked
 * against what BIRD's lexer accepts (passwords), so the templates may print it as is.
 */

/** A resource (or part of one) that could not be used, and why. */
export interface Problem {
  /** etcd key of the resource (or the secret file / setting that failed). */
  readonly key: string
  /** The field the way an operator reads a manifest: `spec.peerIP`. */
  readonly field: string
  readonly reason: string
}

/** BIRD `debug` setting derived from BGPConfiguration logSeverityScreen (as Calico does). */
export type DebugLevel = 'all' | 'states' | 'none'

export type PeerKind = 'Mesh' | 'Global' | 'Node'

export interface PeerIntent {
  /** BIRD protocol name: `Mesh_10_99_0_2`, `Global_fd99__1_port_1790`. Unique in a family. */
  readonly name: string
  readonly kind: PeerKind
  /** Where the peering comes from, for a comment: only [A-Za-z0-9 ._/-] characters. */
  readonly origin: string
  /** Canonical address text. */
  readonly address: string
  /** Only when not 179. */
  readonly port?: number
  readonly asNumber: number
  /** Peer AS equals the local AS (iBGP). */
  readonly internal: boolean
  /** Present when the session is sourced from the node's address. */
  readonly sourceAddress?: string
  /** This side waits for the other to connect (mesh and Calico-node peers: lower address listens). */
  readonly passive: boolean
  /** Present when this node is a route reflector and the peer is its client. */
  readonly routeReflectorClusterId?: string
  /** Already checked with isBirdSafeSecret. */
  readonly password?: string
  readonly nextHopKeep: boolean
  /** Seconds, 1..4095. */
  readonly gracefulRestartTime?: number
  /** GTSM with this many hops, 1..255. */
  readonly ttlSecurityHops?: number
  /** `allow local as N`. */
  readonly allowLocalAs?: number
  /** BGPPeer localASNumber: this node's AS on this session (the family's localAs otherwise). */
  readonly localAs?: number
  /** nextHopMode Self: always announce this node as the next hop. */
  readonly nextHopSelf: boolean
  /** reachableBy: a static route to the peer's address via this gateway (same family). */
  readonly reachableBy?: string
  /**
   * BGPFilters on this session, by BgpFilterIntent.id, in the order they apply: each that
   * has rules for this family and direction, before the default policy (import: accept;
   * export: the node's usual export rules). Both empty: the session uses the shared filters.
   */
  readonly importFilters: readonly string[]
  readonly exportFilters: readonly string[]
  /**
   * Present: the session is configured but held down (BIRD `disabled`), because its BGP
   * password could not be read. Shown, not dropped, so `node status`, CalicoNodeStatus and
   * the session-state metric all show it; it never comes up without its password.
   */
  readonly withheld?: 'password-unavailable'
}

/** One rule of a BGPFilter: all its conditions must hold for `action` to apply. */
export interface BgpFilterRuleIntent {
  readonly action: 'accept' | 'reject'
  /** Prefix match: Equal (=), NotEqual (!=), In (~ within), NotIn (!~). */
  readonly match?: {
    readonly operator: 'Equal' | 'NotEqual' | 'In' | 'NotIn'
    readonly cidr: string
    /** Present when the rule limits prefix lengths: the match is cidr{min,max}. */
    readonly lengths?: { readonly min: number; readonly max: number }
  }
  /** source RemotePeers: only routes learned over BGP. */
  readonly fromRemotePeers: boolean
  /** Routes whose interface matches this pattern. */
  readonly interface?: string
}

/** A BGPFilter's rules for one family. `id` names its functions (Calico's naming). */
export interface BgpFilterIntent {
  /** The resource name, or a truncated name plus hash when too long for a BIRD symbol. */
  readonly id: string
  /** Absent: the filter has no rules for this family and direction. */
  readonly import?: readonly BgpFilterRuleIntent[]
  readonly export?: readonly BgpFilterRuleIntent[]
}

/** A prefix that gets communities added when exported. */
export interface CommunityRule {
  readonly cidr: string
  readonly standard: readonly (readonly [number, number])[]
  readonly large: readonly (readonly [number, number, number])[]
}

export interface PoolExport {
  readonly cidr: string
  /** false: disableBGPExport — routes inside are never exported. */
  readonly exported: boolean
  /**
   * false: routes inside are not programmed into the kernel — VXLAN pools (the dataplane's),
   * and pools BGPConfiguration.programClusterRoutes leaves to Felix (as Calico does).
   */
  readonly programKernel: boolean
}

export type MeshState =
  | { readonly state: 'on' }
  | { readonly state: 'off'; readonly why: 'disabled' | 'route-reflector' | 'password-unavailable' }

/** What both the enabled and the disabled shapes carry: a BIRD daemon still runs. */
export interface FamilyBase {
  /** Dotted quad; bird6 needs one too. */
  readonly routerId: string
  readonly debug: DebugLevel
  /** Interface patterns excluded from `protocol direct`, validated. */
  readonly ignoredInterfaces: readonly string[]
}

export interface DisabledFamily extends FamilyBase {
  readonly enabled: false
  /** Fixed text (no datastore strings), printed as a comment. */
  readonly reason: string
}

export interface EnabledFamily extends FamilyBase {
  readonly enabled: true
  readonly nodeAddress: string
  readonly localAs: number
  readonly listenAddress?: string
  readonly listenPort?: number
  readonly routeReflectorClusterId?: string
  readonly mesh: MeshState
  /** This node's confirmed blocks: blackholed and exported exactly. Sorted. */
  readonly blocks: readonly string[]
  /** Sorted by CIDR. */
  readonly pools: readonly PoolExport[]
  /** serviceClusterIPs and serviceExternalIPs: advertised, never programmed. Sorted. */
  readonly serviceAddresses: readonly string[]
  readonly communities: readonly CommunityRule[]
  /** Sorted by name. */
  readonly peers: readonly PeerIntent[]
  /** Every BGPFilter with rules for this family, sorted by id. */
  readonly bgpFilters: readonly BgpFilterIntent[]
  /** Present while the node is drained for maintenance. */
  readonly drain?: DrainIntent
}

/**
 * The node is drained for maintenance (`falconer node drain`): every route it exports to
 * every peer is made the least preferred path without being withdrawn, so peers move
 * traffic to other nodes while this one still forwards. Any backend can honour it; the
 * values are fixed here so that every backend advertises the same thing.
 */
export interface DrainIntent {
  /** RFC 8326 GRACEFUL_SHUTDOWN, added to every route exported to every peer. */
  readonly community: readonly [number, number]
  /** iBGP peers: LOCAL_PREF of every exported route. */
  readonly internalLocalPref: number
  /**
   * eBGP peers: the session's local AS is prepended this many extra times, for a peer
   * that does not act on the community.
   */
  readonly externalPrepends: number
}

export const DRAIN: DrainIntent = { community: [65535, 0], internalLocalPref: 0, externalPrepends: 3 }

export type FamilyIntent = DisabledFamily | EnabledFamily

export interface BgpIntent {
  readonly v4: FamilyIntent
  readonly v6: FamilyIntent
  /** Sorted by key, field. */
  readonly problems: readonly Problem[]
}

export type Family = 4 | 6

export interface BuildIntentInput {
  readonly snapshot: Snapshot
  readonly nodeName: string
  /** `'hash'`: derive from the node name; a dotted quad: use it; absent: the node's IPv4 (or the hash). */
  readonly routerId?: 'hash' | string
  /** Secret values keyed `<name>/<key>` (see ../secrets.ts). */
  readonly secrets?: ReadonlyMap<string, string>
  /** The node is drained for maintenance (the agent reads this from the drain marker). */
  readonly drained?: boolean
}
