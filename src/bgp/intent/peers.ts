import { ValidationError } from '../../api/errors.js'
import type { BGPPeer, SecretKeyRef } from '../../api/types.js'
import { resourceKey } from './keys.js'
import {
  asObj,
  bool,
  commentName,
  integer,
  isSet,
  parseAsNumber,
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
  | { readonly kind: 'ip'; readonly family: IPFamily; readonly address: string; readonly port?: number; readonly asNumber: number }
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
  if (!ok) return undefined

  let scope: PeerScope
  if (node !== undefined && nodeSelector !== undefined) return fail('spec.nodeSelector', 'node and nodeSelector are mutually exclusive')
  else if (node !== undefined) scope = { kind: 'node', node }
  else if (nodeSelector !== undefined) scope = { kind: 'selector', selector: nodeSelector }
  else scope = { kind: 'global' }

  let target: PeerTarget
  if (peerIP !== undefined && peerSelector !== undefined) return fail('spec.peerSelector', 'peerIP and peerSelector are mutually exclusive')
  else if (peerIP !== undefined) {
    if (asNumber === undefined) return fail('spec.asNumber', 'a peering by peerIP needs an AS number')
    target = { kind: 'ip', family: peerIP.family, address: peerIP.address, asNumber, ...(peerIP.port !== undefined && { port: peerIP.port }) }
  } else if (peerSelector !== undefined) target = { kind: 'nodes', selector: peerSelector }
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
  }
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
