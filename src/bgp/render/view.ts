import type { BgpFilterRuleIntent, DrainIntent, EnabledFamily, Family, FamilyIntent, PeerIntent, PeerKind } from '../intent/types.js'

/**
 * The data the templates see. Every field is present (null when absent) because the
 * templates compile in strict mode: a typo in a template is an error, never an empty string.
 * No BIRD syntax here: that lives in templates/ only.
 */
export interface ConfigView {
  readonly family: Family
  readonly routerId: string
  readonly debug: { readonly all: boolean; readonly states: boolean }
  readonly ignoredInterfaces: readonly string[]
  readonly disabledReason: string | null
  readonly bgp: BgpView | null
}

export interface BgpView {
  readonly localAs: number
  readonly nodeAddress: string
  readonly listen: { readonly address: string | null; readonly port: number | null } | null
  readonly routeReflectorClusterId: string | null
  readonly mesh: { readonly on: boolean; readonly routeReflector: boolean; readonly passwordUnavailable: boolean }
  readonly blocks: readonly string[]
  readonly services: readonly string[]
  readonly exportedPools: readonly string[]
  readonly rejectedPools: readonly string[]
  readonly kernelRejectedPools: readonly string[]
  readonly communities: readonly {
    readonly cidr: string
    readonly standard: readonly (readonly [number, number])[]
    readonly large: readonly (readonly [number, number, number])[]
  }[]
  readonly meshPeers: readonly PeerView[]
  readonly globalPeers: readonly PeerView[]
  readonly nodePeers: readonly PeerView[]
  readonly bgpFilters: readonly FilterView[]
  /** reachableBy: host routes to peers via their gateways, one per peer address. */
  readonly peerRoutes: readonly { readonly address: string; readonly length: number; readonly gateway: string }[]
  /** The node is drained for maintenance: every peer's export filter says how. */
  readonly drained: boolean
}

export interface FilterView {
  readonly id: string
  readonly import: readonly FilterRuleView[] | null
  readonly export: readonly FilterRuleView[] | null
}

export interface FilterRuleView {
  readonly action: 'accept' | 'reject'
  /** All must hold; none: the action applies to every route that reaches the rule. */
  readonly conditions: readonly FilterConditionView[]
}

/** Exactly one of the three is set. */
export interface FilterConditionView {
  readonly net: {
    readonly equal: boolean
    readonly notEqual: boolean
    readonly in: boolean
    readonly notIn: boolean
    readonly cidr: string
    readonly lengths: { readonly min: number; readonly max: number } | null
  } | null
  readonly remotePeers: boolean
  readonly iface: string | null
}

export interface PeerView {
  readonly name: string
  readonly origin: string
  readonly address: string
  readonly port: number | null
  readonly asNumber: number
  readonly sourceAddress: string | null
  readonly ttlSecurityHops: number | null
  readonly passive: boolean
  readonly gracefulRestartTime: number | null
  readonly routeReflectorClusterId: string | null
  readonly password: string | null
  readonly nextHopKeep: boolean
  readonly nextHopSelf: boolean
  readonly allowLocalAs: number | null
  readonly localAs: number | null
  /** The session has BGPFilters: it gets its own import and export filters. */
  readonly filtered: boolean
  readonly importFilters: readonly string[]
  readonly exportFilters: readonly string[]
  /** Held down (`disabled`) and why, in fixed text. */
  readonly withheld: string | null
  /** The session needs its own export filter (BGPFilters or a drain). */
  readonly ownExport: boolean
  /** While the node is drained: what this session's exports get. */
  readonly drain: DrainView | null
}

export interface DrainView {
  readonly community: readonly [number, number]
  /** iBGP: LOCAL_PREF of every exported route. */
  readonly localPref: number | null
  /** eBGP: ASes to prepend (the session's local AS, repeated). */
  readonly prepend: readonly number[]
}

export function configView(intent: FamilyIntent, family: Family): ConfigView {
  return {
    family,
    routerId: intent.routerId,
    debug: { all: intent.debug === 'all', states: intent.debug === 'states' },
    ignoredInterfaces: intent.ignoredInterfaces,
    disabledReason: intent.enabled ? null : intent.reason,
    bgp: intent.enabled ? bgpView(intent) : null,
  }
}

function bgpView(f: EnabledFamily): BgpView {
  const peers = (kind: PeerKind) => f.peers.filter((p) => p.kind === kind).map((p) => peerView(p, f.localAs, f.drain))
  const listen =
    f.listenAddress === undefined && f.listenPort === undefined
      ? null
      : { address: f.listenAddress ?? null, port: f.listenPort ?? null }
  return {
    localAs: f.localAs,
    nodeAddress: f.nodeAddress,
    listen,
    routeReflectorClusterId: f.routeReflectorClusterId ?? null,
    mesh: {
      on: f.mesh.state === 'on',
      routeReflector: f.mesh.state === 'off' && f.mesh.why === 'route-reflector',
      passwordUnavailable: f.mesh.state === 'off' && f.mesh.why === 'password-unavailable',
    },
    blocks: f.blocks,
    services: f.serviceAddresses,
    exportedPools: f.pools.filter((p) => p.exported).map((p) => p.cidr),
    rejectedPools: f.pools.filter((p) => !p.exported).map((p) => p.cidr),
    kernelRejectedPools: f.pools.filter((p) => !p.programKernel).map((p) => p.cidr),
    communities: f.communities,
    meshPeers: peers('Mesh'),
    globalPeers: peers('Global'),
    nodePeers: peers('Node'),
    bgpFilters: f.bgpFilters.map((x) => ({
      id: x.id,
      import: x.import?.map(ruleView) ?? null,
      export: x.export?.map(ruleView) ?? null,
    })),
    peerRoutes: peerRoutes(f),
    drained: f.drain !== undefined,
  }
}

function ruleView(r: BgpFilterRuleIntent): FilterRuleView {
  const none = { net: null, remotePeers: false, iface: null }
  const conditions: FilterConditionView[] = []
  if (r.match !== undefined) {
    const op = r.match.operator
    conditions.push({
      ...none,
      net: {
        equal: op === 'Equal',
        notEqual: op === 'NotEqual',
        in: op === 'In',
        notIn: op === 'NotIn',
        cidr: r.match.cidr,
        lengths: r.match.lengths ?? null,
      },
    })
  }
  if (r.fromRemotePeers) conditions.push({ ...none, remotePeers: true })
  if (r.interface !== undefined) conditions.push({ ...none, iface: r.interface })
  return { action: r.action, conditions }
}

function peerRoutes(f: EnabledFamily): BgpView['peerRoutes'] {
  const seen = new Set<string>()
  const out: { address: string; length: number; gateway: string }[] = []
  for (const p of f.peers) {
    if (p.reachableBy === undefined || seen.has(p.address)) continue
    seen.add(p.address)
    out.push({ address: p.address, length: p.address.includes(':') ? 128 : 32, gateway: p.reachableBy })
  }
  return out
}

function drainView(p: PeerIntent, familyAs: number, drain: DrainIntent): DrainView {
  return {
    community: drain.community,
    localPref: p.internal ? drain.internalLocalPref : null,
    prepend: p.internal ? [] : Array.from({ length: drain.externalPrepends }, () => p.localAs ?? familyAs),
  }
}

function peerView(p: PeerIntent, familyAs: number, drain: DrainIntent | undefined): PeerView {
  const filtered = p.importFilters.length > 0 || p.exportFilters.length > 0
  return {
    name: p.name,
    origin: p.origin,
    address: p.address,
    port: p.port ?? null,
    asNumber: p.asNumber,
    sourceAddress: p.sourceAddress ?? null,
    ttlSecurityHops: p.ttlSecurityHops ?? null,
    passive: p.passive,
    gracefulRestartTime: p.gracefulRestartTime ?? null,
    routeReflectorClusterId: p.routeReflectorClusterId ?? null,
    password: p.password ?? null,
    nextHopKeep: p.nextHopKeep,
    nextHopSelf: p.nextHopSelf,
    allowLocalAs: p.allowLocalAs ?? null,
    localAs: p.localAs ?? null,
    filtered,
    importFilters: p.importFilters,
    exportFilters: p.exportFilters,
    withheld: p.withheld === 'password-unavailable' ? 'BGP password not available' : null,
    ownExport: filtered || drain !== undefined,
    drain: drain === undefined ? null : drainView(p, familyAs, drain),
  }
}
