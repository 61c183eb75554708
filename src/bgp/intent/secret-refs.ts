import type { Snapshot } from '../../api/snapshot.js'
import type { SecretKeyRef } from '../../api/types.js'
import { secretId } from './parse.js'
import { appliesTo } from './peers.js'
import { prepare } from './prepare.js'
import { cmp } from './problems.js'

/**
 * The secrets buildIntent will look up for this node: passwords of the BGPPeers that
 * apply to it, and the mesh password. Pure, so the effectful reader reads only these.
 */
export function neededSecretRefsOf(snapshot: Snapshot, nodeName: string): SecretKeyRef[] {
  const p = prepare(snapshot)
  const self = p.nodes.get(nodeName)
  const refs = new Map<string, SecretKeyRef>()
  const add = (ref: SecretKeyRef) => refs.set(secretId(ref), { name: ref.name, key: ref.key })
  if (p.defaults.meshPassword !== undefined && p.defaults.meshPassword !== 'invalid') add(p.defaults.meshPassword)
  if (self !== undefined) {
    for (const peer of p.peers) {
      if (peer.password !== undefined && appliesTo(peer, self)) add(peer.password)
    }
  }
  return [...refs.values()].sort((a, b) => cmp(secretId(a), secretId(b)))
}
