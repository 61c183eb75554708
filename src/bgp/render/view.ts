import type { EnabledFamily, Family, FamilyIntent, PeerIntent, PeerKind } from '../intent/types.js'

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
  readonly allowLocalAs: number | null
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
  const peers = (kind: PeerKind) => f.peers.filter((p) => p.kind === kind).map(peerView)
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
  }
}

function peerView(p: PeerIntent): PeerView {
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
    allowLocalAs: p.allowLocalAs ?? null,
  }
}
