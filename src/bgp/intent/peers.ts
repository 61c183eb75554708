import { ValidationError } from '../../api/errors.js'
import type { BGPPeer, SecretKeyRef } from '../../api/types.js'
import { resourceKey } from './keys.js'
import { isValidName } from '../../api/validate/index.js'
import {
  array,
  asObj,
  bool,
  commentName,
  integer,
  isSet,
  parseAsNumber,
  parseIP,
  parsePeerIP,
  restartSeconds,
  secretRef,
  selector,
  str,
  type IPFamily,
  type Selector,
} from './parse.js'
import { ProblemSink } from './problems.js'
import type { Problem } from './types.js'

/** Which nodes a BGPPeer applies to. */
export type PeerScope =
  | { readonly kind: 'global' }
  | { readonly kind: 'node'; readonly node: string }
  | { readonly kind: 'selector'; readonly selector: Selector }

/** Whom those nodes peer with. */
export type PeerTarget =
  | {
      readonly kind: 'ip'
      readonly family: IPFamily
      readonly address: string
      readonly port?: number
      /** Absent: the peer is in this node's own AS (iBGP), as Calico does. */
      readonly asNumber?: number
      /** A gateway the peer is reached through (a static route to the peer via it). */
      readonly reachableBy?: string
    }
  | { readonly kind: 'nodes'; readonly selector: Selector }

export interface ParsedPeer {
  readonly name: string
  readonly key: string
  readonly label: string
  readonly scope: PeerScope
  readonly target: PeerTarget
  readonly password?: SecretKeyRef
  readonly keepOriginalNextHop: boolean
  readonly useNodeIP: boolean
  readonly restartTime?: number
  readonly ttlSecurityHops?: number
  readonly allowLocalAs?: number
  /** This node's AS toward the peer, instead of its own. */
  readonly localAs?: number
  readonly nextHopMode: 'Auto' | 'Self' | 'Keep'
  /** false: reversePeering Manual, the selected nodes do not peer back on their own. */
  readonly reverse: boolean
  /** BGPFilter names, in the order they apply. */
  readonly filters: readonly string[]
}

type Memo = { readonly name: string; readonly parsed: ParsedPeer | undefined; readonly problems: readonly Problem[] }

/**
 * Successive snapshots share every BGPPeer object but the changed ones (the syncer copies
 * only what a batch touched), and a cluster may hold thousands: remember each object's
 * parse, as nodes.ts does for Nodes, so one new BGPPeer does not re-parse all the others.
 * Pure: the same object and name always parse the same way.
 */
const memo = new WeakMap<object, Memo>()

/**
 * Parses one BGPPeer, or undefined with problems. Any invalid field skips the whole
 * peering: half a peering (no password, no TTL security) is worse than none.
 */
export function parsePeer(name: string, peer: BGPPeer, problems: ProblemSink): ParsedPeer | undefined {
  const cacheable = typeof peer === 'object' && peer !== null
  const known = cacheable ? memo.get(peer) : undefined
  if (known !== undefined && known.name === name) {
    problems.addAll(known.problems)
    return known.parsed
  }
  const sink = new ProblemSink()
  const parsed = parseFresh(name, peer, sink)
  const found = sink.sorted()
  if (cacheable) memo.set(peer, { name, parsed, problems: found })
  problems.addAll(found)
  return parsed
}

function parseFresh(name: string, peer: BGPPeer, problems: ProblemSink): ParsedPeer | undefined {
  const key = resourceKey('BGPPeer', name)
  let ok = true
  const fail = (field: string, reason: string): undefined => {
    problems.add(key, field, reason)
    ok = false
    return undefined
  }
  const spec = problems.attempt(key, 'spec', () => asObj(peer.spec, 'spec'))
  if (spec === undefined) return undefined
  const field = <T>(f: string, parse: (v: unknown, path: string) => T): T | undefined => {
    const v = spec[f]
    if (!isSet(v)) return undefined
    const out = problems.attempt(key, `spec.${f}`, () => parse(v, `spec.${f}`))
    if (out === undefined) ok = false
    return out
  }

  const node = field('node', str)
  const nodeSelector = field('nodeSelector', selector)
  const peerIP = field('peerIP', parsePeerIP)
  const peerSelector = field('peerSelector', selector)
  const asNumber = field('asNumber', parseAsNumber)
  const password = field('password', secretRef)
  const keep = field('keepOriginalNextHop', bool)
  const source = field('sourceAddress', (v, p) => {
    const s = str(v, p)
    if (s !== 'UseNodeIP' && s !== 'None') throw new ValidationError(p, 'expected UseNodeIP or None')
    return s
  })
  const restartTime = field('maxRestartTime', restartSeconds)
  const ttl = field('ttlSecurity', (v, p) => integer(v, p, 0, 255))
  const allowLocalAs = field('numAllowedLocalASNumbers', (v, p) => integer(v, p, 0, 255))
  const localAs = field('localASNumber', parseAsNumber)
  const nextHopMode = field('nextHopMode', (v, p) => oneOf(v, p, ['Auto', 'Self', 'Keep'] as const))
  const reversePeering = field('reversePeering', (v, p) => oneOf(v, p, ['Auto', 'Manual'] as const))
  const reachableBy = field('reachableBy', (v, p) => parseIP(v, p))
  const filters = field('filters', (v, p) => array(v, p).map((name, i) => filterName(name, `${p}[${i}]`)))
  if (!ok) return undefined
  if (keep === true && nextHopMode !== undefined && nextHopMode !== 'Auto') {
    return fail('spec.nextHopMode', 'must not be set together with keepOriginalNextHop')
  }

  let scope: PeerScope
  if (node !== undefined && nodeSelector !== undefined) return fail('spec.nodeSelector', 'node and nodeSelector are mutually exclusive')
  else if (node !== undefined) scope = { kind: 'node', node }
  else if (nodeSelector !== undefined) scope = { kind: 'selector', selector: nodeSelector }
  else scope = { kind: 'global' }

  let target: PeerTarget
  if (peerIP !== undefined && peerSelector !== undefined) return fail('spec.peerSelector', 'peerIP and peerSelector are mutually exclusive')
  else if (peerIP !== undefined) {
    if (reachableBy !== undefined && reachableBy.family !== peerIP.family) {
      return fail('spec.reachableBy', 'must be of the same address family as peerIP')
    }
    target = {
      kind: 'ip',
      family: peerIP.family,
      address: peerIP.address,
      ...(asNumber !== undefined && { asNumber }),
      ...(peerIP.port !== undefined && { port: peerIP.port }),
      ...(reachableBy !== undefined && { reachableBy: reachableBy.address }),
    }
  } else if (peerSelector !== undefined) {
    if (reachableBy !== undefined) return fail('spec.reachableBy', 'requires peerIP')
    target = { kind: 'nodes', selector: peerSelector }
  }
  else return fail('spec.peerIP', 'one of peerIP or peerSelector is required')

  return {
    name,
    key,
    label: commentName(name),
    scope,
    target,
    keepOriginalNextHop: keep ?? false,
    useNodeIP: source !== 'None',
    ...(password !== undefined && { password }),
    ...(restartTime !== undefined && { restartTime }),
    ...(ttl !== undefined && ttl > 0 && { ttlSecurityHops: ttl }),
    ...(allowLocalAs !== undefined && allowLocalAs > 0 && { allowLocalAs }),
    ...(localAs !== undefined && { localAs }),
    nextHopMode: nextHopMode ?? 'Auto',
    reverse: reversePeering !== 'Manual',
    filters: filters ?? [],
  }
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  const s = str(v, path)
  if (!(allowed as readonly string[]).includes(s)) throw new ValidationError(path, `expected one of ${allowed.join(', ')}`)
  return s as T
}

function filterName(v: unknown, path: string): string {
  const s = str(v, path)
  if (!isValidName(s)) throw new ValidationError(path, 'expected a BGPFilter name')
  return s
}

/** Whether a BGPPeer's scope covers this node (name and labels). */
export function appliesTo(peer: ParsedPeer, self: { readonly name: string; readonly labels: Readonly<Record<string, string>> }): boolean {
  switch (peer.scope.kind) {
    case 'global':
      return true
    case 'node':
      return peer.scope.node === self.name
    case 'selector':
      return peer.scope.selector.matches(self.labels)
  }
}
