import type { SecretKeyRef } from '../../api/types.js'
import type { Context } from './context.js'
import { protocolName } from './names.js'
import { addressOf, BGP_PORT, DEFAULT_AS_NUMBER, type NodeView } from './nodes.js'
import { isBirdSafeSecret, secretId, type IPFamily } from './parse.js'
import { appliesTo, type ParsedPeer } from './peers.js'
import { cmp } from './problems.js'
import type { MeshState, PeerIntent, PeerKind } from './types.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** One peering before its password is resolved. `from`: the resource it comes from. */
interface Candidate {
  readonly peer: Mutable<PeerIntent>
  /** 'unusable': a password is configured but its reference itself is invalid. */
  readonly passwordRef: SecretKeyRef | 'unusable' | undefined
  readonly from: string
}

/** What a BGPPeer gives every session it makes, worked out once per resource. */
interface Options {
  readonly from: string
  readonly sourceAddress: string | undefined
  readonly gracefulRestartTime: number | undefined
  readonly ttlSecurityHops: number | undefined
  readonly allowLocalAs: number | undefined
  readonly passwordRef: SecretKeyRef | 'unusable' | undefined
  readonly keepNextHop: boolean
  readonly localAs?: number
  readonly nextHopMode: ParsedPeer['nextHopMode']
  /** BGPFilter function ids for this family; undefined when a named filter is missing. */
  readonly filters: { readonly import: readonly string[]; readonly export: readonly string[] } | undefined
}

interface Here {
  readonly ctx: Context
  readonly self: NodeView
  readonly address: string
  readonly f: IPFamily
}

/**
 * This node's BGP sessions for one family, in Calico's order of precedence: global
 * BGPPeers, then node-specific ones (a node-specific peering to an address a global one
 * already covers is dropped), then the reverse side of peerings that select this node,
 * then the mesh. The first peering to an address and port wins, so names are unique.
 * Linear in the number of nodes per BGPPeer: no pairwise work.
 */
export function peerings(ctx: Context, self: NodeView, address: string, f: IPFamily): { peers: PeerIntent[]; mesh: MeshState } {
  const h: Here = { ctx, self, address, f }
  const taken = new Map<string, PeerIntent>()
  const passwords = new Map<string, string | null>()
  const out: PeerIntent[] = []
  const accept = (c: Candidate, report: boolean): void => {
    const p = c.peer
    const slot = p.port === undefined ? p.address : `${p.address}|${p.port}`
    const first = taken.get(slot)
    if (first !== undefined) {
      if (report) {
        const where = p.port === undefined ? p.address : `${p.address} port ${p.port}`
        ctx.problems.add(c.from, 'spec', `peering with ${where} is already configured by ${first.origin} (${first.name}); this one is ignored`)
      }
      return
    }
    // Taken even when its password is missing: a mesh session must not stand in for a
    // peering the operator configured with a password.
    taken.set(slot, p)
    if (c.passwordRef === 'unusable') {
      p.withheld = 'password-unavailable'
    } else if (c.passwordRef !== undefined) {
      // Looked up once per resource and secret: thousands of sessions may share one.
      const [key, field] =
        p.kind === 'Mesh' ? [ctx.prepared.defaults.key, 'spec.nodeMeshPassword'] : [c.from, 'spec.password.secretKeyRef']
      const memo = `${key}\u0000${secretId(c.passwordRef)}`
      let password = passwords.get(memo)
      if (password === undefined) {
        password = secretValue(ctx, c.passwordRef, key, field)
        passwords.set(memo, password)
      }
      // Never without its password: held down, but listed so the operator sees it.
      if (password === null) p.withheld = 'password-unavailable'
      else p.password = password
    }
    out.push(p)
  }

  for (const kind of ['Global', 'Node'] as const) {
    for (const peer of ctx.prepared.peers) {
      if (kindOf(peer) !== kind || !appliesTo(peer, self)) continue
      forward(h, peer, kind, options(h, peer), accept)
    }
  }
  for (const peer of ctx.prepared.peers) reverse(h, peer, accept)
  const mesh = meshState(ctx, self)
  if (mesh.state === 'on' || mesh.why === 'password-unavailable') meshPeers(h, accept)
  out.sort((a, b) => cmp(a.name, b.name))
  return { peers: out, mesh }
}

type Accept = (c: Candidate, report: boolean) => void

function kindOf(peer: ParsedPeer): PeerKind {
  return peer.scope.kind === 'global' ? 'Global' : 'Node'
}

function options(h: Here, peer: ParsedPeer): Options {
  return {
    from: peer.key,
    sourceAddress: peer.useNodeIP ? h.address : undefined,
    gracefulRestartTime: peer.restartTime,
    ttlSecurityHops: peer.ttlSecurityHops,
    allowLocalAs: peer.allowLocalAs,
    passwordRef: peer.password,
    keepNextHop: peer.keepOriginalNextHop,
    ...(peer.localAs !== undefined && { localAs: peer.localAs }),
    nextHopMode: peer.nextHopMode,
    filters: filterIds(h, peer),
  }
}

const NO_FILTERS = { import: [], export: [] } as const

/**
 * The functions of the BGPFilters a peer names, in its order, for this family. A named
 * filter that does not exist (yet) withholds the peer's sessions: bringing them up
 * unfiltered could advertise what the filter is there to stop.
 */
function filterIds(h: Here, peer: ParsedPeer): Options['filters'] {
  if (peer.filters.length === 0) return NO_FILTERS
  const imp: string[] = []
  const exp: string[] = []
  for (const name of peer.filters) {
    const parsed = h.ctx.prepared.filters.get(name)
    if (parsed === undefined) {
      h.ctx.problems.add(peer.key, 'spec.filters', `BGPFilter ${JSON.stringify(name)} does not exist or is invalid; this peer's sessions are left out`)
      return undefined
    }
    const f = h.f === 4 ? parsed.v4 : parsed.v6
    if (f.import !== undefined) imp.push(f.id)
    if (f.export !== undefined) exp.push(f.id)
  }
  return { import: imp, export: exp }
}

interface Session {
  readonly kind: PeerKind
  readonly origin: string
  readonly address: string
  readonly port: number
  readonly asNumber: number
  readonly passive: boolean
  /** Present: this node is a route reflector and the peer its client. */
  readonly rrClusterId: string | undefined
  readonly reachableBy?: string
}

function candidate(h: Here, s: Session, o: Options): Candidate | undefined {
  if (o.filters === undefined) return undefined
  // localASNumber makes this node another AS on this session: iBGP or eBGP is judged by it.
  const localAs = o.localAs ?? h.self.asNumber
  const internal = s.asNumber === localAs
  const p: Mutable<PeerIntent> = {
    kind: s.kind,
    name: protocolName(s.kind, s.address, s.port),
    origin: s.origin,
    address: s.address,
    asNumber: s.asNumber,
    internal,
    passive: s.passive,
    // keepOriginalNextHop only ever applied to eBGP peers; nextHopMode Keep applies to all.
    nextHopKeep: o.nextHopMode === 'Keep' || (o.keepNextHop && !internal),
    nextHopSelf: o.nextHopMode === 'Self',
    importFilters: o.filters.import,
    exportFilters: o.filters.export,
  }
  if (o.localAs !== undefined) p.localAs = o.localAs
  if (s.reachableBy !== undefined) p.reachableBy = s.reachableBy
  if (s.port !== BGP_PORT) p.port = s.port
  if (o.sourceAddress !== undefined) p.sourceAddress = o.sourceAddress
  if (internal && s.rrClusterId !== undefined) p.routeReflectorClusterId = s.rrClusterId
  if (o.gracefulRestartTime !== undefined) p.gracefulRestartTime = o.gracefulRestartTime
  if (o.ttlSecurityHops !== undefined) p.ttlSecurityHops = o.ttlSecurityHops
  if (o.allowLocalAs !== undefined) p.allowLocalAs = o.allowLocalAs
  return { peer: p, passwordRef: o.passwordRef, from: o.from }
}

/**
 * A session with another Calico node: its address, AS, listen port and cluster. Exactly
 * one side listens: the one whose peer's address text sorts higher. Calico compares the
 * text too, so mixed falconer/Calico clusters agree.
 */
function withNode(h: Here, kind: PeerKind, node: NodeView, other: string, origin: string): Session {
  const rr = h.self.clusterId
  return {
    kind,
    origin,
    address: other,
    port: node.listenPort,
    asNumber: node.asNumber,
    passive: other > h.address,
    rrClusterId: rr !== undefined && node.clusterId !== rr ? rr : undefined,
  }
}

/** Peerings this BGPPeer asks this node to make (peerIP, or the nodes peerSelector picks). */
function forward(h: Here, peer: ParsedPeer, kind: PeerKind, o: Options, accept: Accept): void {
  const t = peer.target
  if (t.kind === 'ip') {
    // Calico's "skipping ourselves": a global list naming every reflector includes us.
    if (t.family !== h.f || t.address === h.address) return
    const node = calicoNodeAt(h, t.address, t.asNumber ?? globalAs(h), t.port)
    const session: Session = {
      kind,
      origin: `BGPPeer ${peer.label}`,
      address: t.address,
      port: t.port ?? node?.listenPort ?? BGP_PORT,
      // No asNumber: the peer is in this node's own AS.
      asNumber: t.asNumber ?? h.self.asNumber,
      passive: node !== undefined && t.address > h.address,
      // The peer's cluster is not known from an address: a same-AS peer is a client.
      rrClusterId: h.self.clusterId,
      ...(t.reachableBy !== undefined && { reachableBy: t.reachableBy }),
    }
    const c = candidate(h, session, o)
    if (c !== undefined) accept(c, true)
    return
  }
  for (const node of h.ctx.prepared.nodeList) {
    const other = addressOf(node, h.f)
    if (node.name === h.self.name || other === undefined || other === h.address) continue
    if (!t.selector.matches(node.labels)) continue
    const c = candidate(h, withNode(h, kind, node, other, `BGPPeer ${peer.label} selects node ${node.label}`), o)
    if (c !== undefined) accept(c, true)
  }
}

/** The AS a peerIP without asNumber is matched against to find a Calico node there (Calico uses the cluster default). */
function globalAs(h: Here): number {
  return h.ctx.prepared.defaults.asNumber ?? DEFAULT_AS_NUMBER
}

/**
 * The other half of a peering that selects this node (by peerSelector, or by peerIP equal
 * to our address with our AS): we peer back with the nodes the BGPPeer applies to, so both
 * ends of a node-to-node peering are configured (Calico's "reverse peerings").
 */
function reverse(h: Here, peer: ParsedPeer, accept: Accept): void {
  // reversePeering Manual: the selected nodes peer back only if a BGPPeer of their own says so.
  if (!peer.reverse) return
  const t = peer.target
  const selected =
    t.kind === 'nodes'
      ? t.selector.matches(h.self.labels)
      : t.family === h.f &&
        t.address === h.address &&
        (t.asNumber ?? globalAs(h)) === h.self.asNumber &&
        (t.port === undefined || t.port === h.self.listenPort)
  if (!selected) return
  // This side is the peer: it keeps its own AS; the other side's is localASNumber if set.
  const { localAs: otherSideAs, ...o } = options(h, peer)
  const origin = `BGPPeer ${peer.label} selects this node; peering back with node `
  for (const node of h.ctx.prepared.nodeList) {
    const other = addressOf(node, h.f)
    if (node.name === h.self.name || other === undefined || other === h.address) continue
    if (!appliesTo(peer, node)) continue
    const session = withNode(h, 'Node', node, other, origin + node.label)
    // The other node speaks as localASNumber on this peering, if the BGPPeer sets one.
    const c = candidate(h, { ...session, asNumber: otherSideAs ?? session.asNumber }, o)
    if (c !== undefined) accept(c, false)
  }
}

/** The Calico node a peerIP points at (same address and AS, and port if given), if any. */
function calicoNodeAt(h: Here, address: string, asNumber: number, port: number | undefined): NodeView | undefined {
  for (const node of h.ctx.prepared.nodesByAddress.get(address) ?? []) {
    if (node.asNumber === asNumber && (port === undefined || port === node.listenPort)) return node
  }
  return undefined
}

function meshState(ctx: Context, self: NodeView): MeshState {
  const d = ctx.prepared.defaults
  if (d.meshEnabled === false) return { state: 'off', why: 'disabled' }
  if (self.clusterId !== undefined) return { state: 'off', why: 'route-reflector' }
  if (d.meshPassword === 'invalid') return { state: 'off', why: 'password-unavailable' }
  if (d.meshPassword !== undefined && secretValue(ctx, d.meshPassword, d.key, 'spec.nodeMeshPassword') === null) {
    return { state: 'off', why: 'password-unavailable' }
  }
  return { state: 'on' }
}

/** Every other node with an address of this family, unless either side is a route reflector. */
function meshPeers(h: Here, accept: Accept): void {
  const d = h.ctx.prepared.defaults
  const password = d.meshPassword === 'invalid' ? 'unusable' : d.meshPassword
  for (const node of h.ctx.prepared.nodeList) {
    const other = addressOf(node, h.f)
    if (node.name === h.self.name || other === undefined || other === h.address || node.clusterId !== undefined) continue
    const o: Options = {
      from: node.key,
      sourceAddress: h.address,
      gracefulRestartTime: d.meshRestartTime,
      ttlSecurityHops: undefined,
      allowLocalAs: undefined,
      passwordRef: password,
      keepNextHop: false,
      nextHopMode: 'Auto',
      filters: NO_FILTERS,
    }
    const c = candidate(h, withNode(h, 'Mesh', node, other, `node-to-node mesh with node ${node.label}`), o)
    if (c !== undefined) accept(c, false)
  }
}

function secretValue(ctx: Context, ref: SecretKeyRef, key: string, field: string): string | null {
  const id = secretId(ref)
  const value = ctx.secrets.get(id)
  if (value === undefined) {
    ctx.problems.add(key, field, `secret ${id} is not available; sessions that need it are held down (disabled) until it is`)
    return null
  }
  if (!isBirdSafeSecret(value)) {
    ctx.problems.add(key, field, `secret ${id} is not a usable BGP password (1-80 printable ASCII, no " or \\); sessions that need it are held down (disabled)`)
    return null
  }
  return value
}
