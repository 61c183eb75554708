import type { SecretKeyRef } from '../../api/types.js'
import type { Context } from './context.js'
import { protocolName } from './names.js'
import { addressOf, BGP_PORT, type NodeView } from './nodes.js'
import { isBirdSafeSecret, secretId, type IPFamily } from './parse.js'
import { appliesTo, type ParsedPeer } from './peers.js'
import { cmp } from './problems.js'
import type { MeshState, PeerIntent, PeerKind } from './types.js'

/** One peering before its password is resolved. `from`: the resource it comes from. */
type Candidate = Omit<PeerIntent, 'password'> & { readonly passwordRef?: SecretKeyRef; readonly from: string }

/**
 * This node's BGP sessions for one family, in Calico's order of precedence: global
 * BGPPeers, then node-specific ones (a node-specific peering to an address a global one
 * already covers is dropped), then the reverse side of peerings that select this node,
 * then the mesh. The first peering to an address and port wins; names are unique.
 */
export function peerings(ctx: Context, self: NodeView, address: string, f: IPFamily): { peers: PeerIntent[]; mesh: MeshState } {
  const taken = new Map<string, Candidate>()
  const out: PeerIntent[] = []
  const accept = (c: Candidate, report: boolean): void => {
    const slot = `${c.address}|${c.port ?? BGP_PORT}`
    const first = taken.get(slot)
    if (first !== undefined) {
      if (report) {
        const where = c.port === undefined ? c.address : `${c.address} port ${c.port}`
        ctx.problems.add(c.from, 'spec', `peering with ${where} is already configured by ${first.origin} (${first.name}); this one is ignored`)
      }
      return
    }
    // Taken even when its password is missing: a mesh session must not stand in for a
    // peering the operator configured with a password.
    taken.set(slot, c)
    const password = resolvePassword(ctx, c)
    if (password === null) return
    const { passwordRef: _ref, from: _from, ...peer } = c
    out.push(password === undefined ? peer : { ...peer, password })
  }

  const here = { ctx, self, address, f }
  for (const kind of ['Global', 'Node'] as const) {
    for (const peer of ctx.prepared.peers) {
      if (kindOf(peer) !== kind || !appliesTo(peer, self)) continue
      for (const c of forward(here, peer, kind)) accept(c, true)
    }
  }
  for (const peer of ctx.prepared.peers) {
    for (const c of reverse(here, peer)) accept(c, false)
  }
  const mesh = meshState(ctx, self)
  if (mesh.state === 'on') for (const c of meshPeers(here)) accept(c, false)
  out.sort((a, b) => cmp(a.name, b.name))
  return { peers: out, mesh }
}

interface Here {
  readonly ctx: Context
  readonly self: NodeView
  readonly address: string
  readonly f: IPFamily
}

function kindOf(peer: ParsedPeer): PeerKind {
  return peer.scope.kind === 'global' ? 'Global' : 'Node'
}

/** Options every peering made from this BGPPeer shares. */
function fromResource(h: Here, peer: ParsedPeer) {
  return {
    from: peer.key,
    ...(peer.useNodeIP && { sourceAddress: h.address }),
    ...(peer.restartTime !== undefined && { gracefulRestartTime: peer.restartTime }),
    ...(peer.ttlSecurityHops !== undefined && { ttlSecurityHops: peer.ttlSecurityHops }),
    ...(peer.allowLocalAs !== undefined && { allowLocalAs: peer.allowLocalAs }),
    ...(peer.password !== undefined && { passwordRef: peer.password }),
  }
}

/** A session with another Calico node: its address, AS, listen port and cluster. */
function withNode(h: Here, kind: PeerKind, node: NodeView, other: string, keepNextHop: boolean) {
  const internal = node.asNumber === h.self.asNumber
  const rr = h.self.clusterId
  return {
    kind,
    name: protocolName(kind, other, node.listenPort),
    address: other,
    ...(node.listenPort !== BGP_PORT && { port: node.listenPort }),
    asNumber: node.asNumber,
    internal,
    // Exactly one side listens: the one whose peer's address text sorts higher. Calico
    // compares the text too, so mixed falconer/Calico clusters agree.
    passive: other > h.address,
    nextHopKeep: keepNextHop && !internal,
    ...(internal && rr !== undefined && node.clusterId !== rr && { routeReflectorClusterId: rr }),
  }
}

/** Peerings this BGPPeer asks this node to make (peerIP, or the nodes peerSelector picks). */
function* forward(h: Here, peer: ParsedPeer, kind: PeerKind): Generator<Candidate> {
  const t = peer.target
  if (t.kind === 'ip') {
    // Calico's "skipping ourselves": a global list naming every reflector includes us.
    if (t.family !== h.f || t.address === h.address) return
    const node = calicoNodeAt(h, t.address, t.asNumber, t.port)
    const port = t.port ?? node?.listenPort ?? BGP_PORT
    const internal = t.asNumber === h.self.asNumber
    yield {
      ...fromResource(h, peer),
      kind,
      origin: `BGPPeer ${peer.label}`,
      name: protocolName(kind, t.address, port),
      address: t.address,
      ...(port !== BGP_PORT && { port }),
      asNumber: t.asNumber,
      internal,
      passive: node !== undefined && t.address > h.address,
      nextHopKeep: peer.keepOriginalNextHop && !internal,
      // The peer's cluster is not known from an address: a same-AS peer is a client.
      ...(internal && h.self.clusterId !== undefined && { routeReflectorClusterId: h.self.clusterId }),
    }
    return
  }
  for (const node of h.ctx.prepared.nodeList) {
    const other = addressOf(node, h.f)
    if (node.name === h.self.name || other === undefined || other === h.address) continue
    if (!t.selector.matches(node.labels)) continue
    yield {
      ...fromResource(h, peer),
      ...withNode(h, kind, node, other, peer.keepOriginalNextHop),
      origin: `BGPPeer ${peer.label} selects node ${node.label}`,
    }
  }
}

/**
 * The other half of a peering that selects this node (by peerSelector, or by peerIP equal
 * to our address with our AS): we peer back with the nodes the BGPPeer applies to, so both
 * ends of a node-to-node peering are configured (Calico's "reverse peerings").
 */
function* reverse(h: Here, peer: ParsedPeer): Generator<Candidate> {
  const t = peer.target
  const selected =
    t.kind === 'nodes'
      ? t.selector.matches(h.self.labels)
      : t.family === h.f &&
        t.address === h.address &&
        t.asNumber === h.self.asNumber &&
        (t.port === undefined || t.port === h.self.listenPort)
  if (!selected) return
  for (const node of h.ctx.prepared.nodeList) {
    const other = addressOf(node, h.f)
    if (node.name === h.self.name || other === undefined || other === h.address) continue
    if (!appliesTo(peer, node)) continue
    yield {
      ...fromResource(h, peer),
      ...withNode(h, 'Node', node, other, peer.keepOriginalNextHop),
      origin: `BGPPeer ${peer.label} selects this node; peering back with node ${node.label}`,
    }
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
function* meshPeers(h: Here): Generator<Candidate> {
  const d = h.ctx.prepared.defaults
  for (const node of h.ctx.prepared.nodeList) {
    const other = addressOf(node, h.f)
    if (node.name === h.self.name || other === undefined || other === h.address || node.clusterId !== undefined) continue
    yield {
      ...withNode(h, 'Mesh', node, other, false),
      origin: `node-to-node mesh with node ${node.label}`,
      from: node.key,
      sourceAddress: h.address,
      ...(d.meshRestartTime !== undefined && { gracefulRestartTime: d.meshRestartTime }),
      ...(d.meshPassword !== undefined && d.meshPassword !== 'invalid' && { passwordRef: d.meshPassword }),
    }
  }
}

/** undefined: no password; null: needed but unavailable (peering skipped, problem reported). */
function resolvePassword(ctx: Context, c: Candidate): string | undefined | null {
  if (c.passwordRef === undefined) return undefined
  return c.kind === 'Mesh'
    ? secretValue(ctx, c.passwordRef, ctx.prepared.defaults.key, 'spec.nodeMeshPassword')
    : secretValue(ctx, c.passwordRef, c.from, 'spec.password.secretKeyRef')
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
