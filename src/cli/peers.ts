import { ValidationError } from '../api/errors.js'
import type { BGPPeer } from '../api/types.js'
import { parsePeerIP } from '../api/validate/index.js'
import { CliError, naming } from './errors.js'

/**
 * BGP peers as calicoctl v1 and `calicoctl node bgp peer` saw them: a peer IP with a scope
 * (global, or one node). In v3 terms a global peer has neither `node` nor `nodeSelector`;
 * a node peer has `node`. Selector-based peers have no v1 scope and never match. Pure.
 */

export type PeerScope = 'global' | 'node'

export interface PeerAddress {
  readonly family: 4 | 6
  readonly address: string
  readonly port?: number
}

export interface PeerFilter {
  readonly scope?: PeerScope
  readonly node?: string
  /** Without a port it matches the address on any port. */
  readonly peer?: PeerAddress
}

export function parseScope(text: string | undefined): PeerScope | undefined {
  if (text === undefined) return undefined
  const v = text.toLowerCase()
  if (v === 'global' || v === 'node') return v
  throw new CliError(`Invalid scope '${text}': expected global or node`)
}

/** A peer IP typed by the operator; one line naming the value when it is not an address. */
export function parsePeerArgument(text: string): PeerAddress {
  try {
    const p = parsePeerIP(text)
    return { family: p.family, address: p.address, ...(p.port !== undefined && { port: p.port }) }
  } catch (err) {
    if (err instanceof ValidationError) throw new CliError(`Invalid IP address specified: ${naming(text, err.reason)}`)
    throw err
  }
}

export function legacyScope(peer: BGPPeer): PeerScope | undefined {
  if (peer.spec.nodeSelector !== undefined || peer.spec.peerSelector !== undefined) return undefined
  return peer.spec.node !== undefined ? 'node' : 'global'
}

/** The stored peerIP parsed; undefined for selector peers (no peerIP). */
export function peerAddress(peer: BGPPeer): PeerAddress | undefined {
  if (peer.spec.peerIP === undefined) return undefined
  try {
    const p = parsePeerIP(peer.spec.peerIP)
    return { family: p.family, address: p.address, ...(p.port !== undefined && { port: p.port }) }
  } catch {
    return undefined
  }
}

export function peerMatches(peer: BGPPeer, filter: PeerFilter): boolean {
  const scope = legacyScope(peer)
  if (scope === undefined) return false
  if (filter.scope !== undefined && scope !== filter.scope) return false
  if (filter.node !== undefined && peer.spec.node !== filter.node) return false
  if (filter.peer !== undefined) {
    const a = peerAddress(peer)
    if (a === undefined || a.family !== filter.peer.family || a.address !== filter.peer.address) return false
    if (filter.peer.port !== undefined && a.port !== filter.peer.port) return false
  }
  return true
}

/** Global first, then by node, then IPv4 before IPv6, then by address (numeric-aware: .9 before .10). */
export function comparePeers(a: BGPPeer, b: BGPPeer): number {
  const rank = (p: BGPPeer) => (legacyScope(p) === 'global' ? 0 : 1)
  return rank(a) - rank(b) || compareText(a.spec.node ?? '', b.spec.node ?? '') || compareAddresses(a, b) || compareText(a.metadata.name, b.metadata.name)
}

export function compareAddresses(a: BGPPeer, b: BGPPeer): number {
  const [pa, pb] = [peerAddress(a), peerAddress(b)]
  return (
    (pa?.family ?? 0) - (pb?.family ?? 0) ||
    compareText(pa?.address ?? a.spec.peerIP ?? '', pb?.address ?? b.spec.peerIP ?? '') ||
    (pa?.port ?? 0) - (pb?.port ?? 0)
  )
}

export function compareText(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}
