import type { SecretKeyRef } from '../../api/types.js'
import type { Context } from './context.js'
import { protocolName } from './names.js'
import { addressOf, BGP_PORT, type NodeView } from './nodes.js'
import { isBirdSafeSecret, secretId, type IPFamily } from './parse.js'
import { appliesTo, type ParsedPeer } from './peers.js'
import { cmp } from './problems.js'
import type { MeshState, PeerIntent, PeerKind } from './types.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** One peering before its password is resolved. `from`: the resource it comes from. */
interface Candidate {
  readonly peer: Mutable<PeerIntent>
  readonly passwordRef: SecretKeyRef | undefined
  readonly from: string
}

/** What a BGPPeer gives every session it makes, worked out once per resource. */
interface Options {
  readonly from: string
  readonly sourceAddress: string | undefined
  readonly gracefulRestartTime: number | undefined
  readonly ttlSecurityHops: number | undefined
  readonly allowLocalAs: number | undefined
  readonly passwordRef: SecretKeyRef | undefined
  readonly keepNextHop: boolean
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
    if (c.passwordRef !== undefined) {
      // Looked up once per resource and secret: thousands of sessions may share one.
      const [key, field] =
        p.kind === 'Mesh' ? [ctx.prepared.defaults.key, 'spec.nodeMeshPassword'] : [c.from, 'spec.password.secretKeyRef']
      const memo = `${key}\u0000${secretId(c.passwordRef)}`
      let password = passwords.get(memo)
      if (password === undefined) {
        password = secretValue(ctx, c.passwordRef, key, field)
        passwords.set(memo, password)
      }
      if (password === null) return
      p.password = password
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
  if (mesh.state === 'on') meshPeers(h, accept)
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
  }
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
}

function candidate(h: Here, s: Session, o: Options): Candidate {
  const internal = s.asNumber === h.self.asNumber
  const p: Mutable<PeerIntent> = {
    kind: s.kind,
    name: protocolName(s.kind, s.address, s.port),
    origin: s.origin,
    address: s.address,
    asNumber: s.asNumber,
    internal,
    passive: s.passive,
    nextHopKeep: o.keepNextHop && !internal,
  }
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
    const node = calicoNodeAt(h, t.address, t.asNumber, t.port)
    const session: Session = {
      kind,
      origin: `BGPPeer ${peer.label}`,
      address: t.address,
      port: t.port ?? node?.listenPort ?? BGP_PORT,
      asNumber: t.asNumber,
      passive: node !== undefined && t.address > h.address,
      // The peer's cluster is not known from an address: a same-AS peer is a client.
      rrClusterId: h.self.clusterId,
    }
    accept(candidate(h, session, o), true)
    return
  }
  for (const node of h.ctx.prepared.nodeList) {
    const other = addressOf(node, h.f)
    if (node.name === h.self.name || other === undefined || other === h.address) continue
    if (!t.selector.matches(node.labels)) continue
    accept(candidate(h, withNode(h, kind, node, other, `BGPPeer ${peer.label} selects node ${node.label}`), o), true)
  }
}

/**
 * The other half of a peering that selects this node (by peerSelector, or by peerIP equal
 * to our address with our AS): we peer back with the nodes the BGPPeer applies to, so both
 * ends of a node-to-node peering are configured (Calico's "reverse peerings").
 */
function reverse(h: Here, peer: ParsedPeer, accept: Accept): void {
  const t = peer.target
  const selected =
    t.kind === 'nodes'
      ? t.selector.matches(h.self.labels)
      : t.family === h.f &&
        t.address === h.address &&
        t.asNumber === h.self.asNumber &&
        (t.port === undefined || t.port === h.self.listenPort)
  if (!selected) return
  const o = options(h, peer)
  const origin = `BGPPeer ${peer.label} selects this node; peering back with node `
  for (const node of h.ctx.prepared.nodeList) {
    const other = addressOf(node, h.f)
    if (node.name === h.self.name || other === undefined || other === h.address) continue
    if (!appliesTo(peer, node)) continue
    accept(candidate(h, withNode(h, 'Node', node, other, origin + node.label), o), false)
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
  const password = d.meshPassword !== undefined && d.meshPassword !== 'invalid' ? d.meshPassword : undefined
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
    }
    accept(candidate(h, withNode(h, 'Mesh', node, other, `node-to-node mesh with node ${node.label}`), o), false)
  }
}

function secretValue(ctx: Context, ref: SecretKeyRef, key: string, field: string): string | null {
  const id = secretId(ref)
  const value = ctx.secrets.get(id)
  if (value === undefined) {
    ctx.problems.add(key, field, `secret ${id} is not available; peerings that need it are left out`)
    return null
  }
  if (!isBirdSafeSecret(value)) {
    ctx.problems.add(key, field, `secret ${id} is not a usable BGP password (1-80 printable ASCII, no " or \\); peerings that need it are left out`)
    return null
  }
  return value
}
