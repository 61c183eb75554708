import { BlockInUseError, NotFoundError } from '../../datastore/errors.js'
import type { IpamStore, ResourceStore } from '../../datastore/store.js'
import type { Say } from '../startup/say.js'
import { runningAgent } from './agent-process.js'
import { endpointsOfNode } from './endpoints.js'
import { LifecycleError } from './errors.js'

/**
 * `node remove [--hostname=H] [--remove-endpoints]`: deletes everything the datastore
 * holds for node H — its workload endpoints (only when asked), node-specific BGP peers,
 * its BGPConfiguration `node.H`, its CalicoNodeStatus objects, its block affinities — and
 * the Node itself last, so an interrupted removal can simply be run again.
 */

export interface RemoveOptions {
  readonly nodeName: string
  /** This host's node name: it cannot be removed while its agent runs. */
  readonly localNodeName: string
  readonly pidFile: string
  readonly removeEndpoints: boolean
}

export interface RemoveSummary {
  readonly endpoints: number
  readonly peers: number
  readonly bgpConfiguration: boolean
  readonly statuses: number
  readonly affinities: number
  /** Affinities kept because their block still has allocated addresses. */
  readonly keptAffinities: readonly string[]
  readonly node: boolean
}

export async function removeNode(store: ResourceStore & IpamStore, opts: RemoveOptions, say: Say): Promise<RemoveSummary> {
  const name = opts.nodeName
  if (name === opts.localNodeName && (await runningAgent(opts.pidFile)) !== undefined) {
    throw new LifecycleError(
      "The node cannot be removed while it is running. Please run 'falconer node stop' to stop the node before removing it.",
    )
  }

  const endpoints = await endpointsOfNode(store, name)
  if (endpoints.length > 0 && !opts.removeEndpoints) {
    throw new LifecycleError("The node has active Calico endpoints so can't be deleted. Force with --remove-endpoints")
  }
  for (const w of endpoints) {
    await ignoreMissing(store.delete('WorkloadEndpoint', w.metadata.name, { namespace: w.metadata.namespace ?? '' }))
  }

  const peers = (await store.list('BGPPeer')).filter((p) => p.spec.node === name)
  for (const p of peers) await ignoreMissing(store.delete('BGPPeer', p.metadata.name))

  const bgpConfiguration = await ignoreMissing(store.delete('BGPConfiguration', `node.${name}`))

  const statuses = (await store.list('CalicoNodeStatus')).filter((s) => s.spec.node === name)
  for (const s of statuses) await ignoreMissing(store.delete('CalicoNodeStatus', s.metadata.name))

  const keptAffinities: string[] = []
  const affinities = await store.listAffinities(name)
  for (const a of affinities) {
    try {
      await store.releaseAffinity(name, a.cidr)
    } catch (err) {
      // Addresses still allocated in the block belong to workloads elsewhere in IPAM;
      // dropping the block would orphan them. The operator gets told, the rest goes on.
      if (!(err instanceof BlockInUseError)) throw err
      keptAffinities.push(a.cidr)
      say(`WARNING: ${err.message}; its affinity to '${name}' was kept`)
    }
  }

  const node = await ignoreMissing(store.delete('Node', name))
  const summary: RemoveSummary = {
    endpoints: endpoints.length,
    peers: peers.length,
    bgpConfiguration,
    statuses: statuses.length,
    affinities: affinities.length - keptAffinities.length,
    keptAffinities,
    node,
  }
  if (!node && nothingElse(summary)) {
    throw new LifecycleError(`Node '${name}' does not exist: nothing to remove`)
  }
  for (const line of summaryLines(name, summary)) say(line)
  say('Node configuration removed')
  return summary
}

function nothingElse(s: RemoveSummary): boolean {
  return s.endpoints === 0 && s.peers === 0 && !s.bgpConfiguration && s.statuses === 0 && s.affinities === 0 && s.keptAffinities.length === 0
}

export function summaryLines(name: string, s: RemoveSummary): string[] {
  const lines: string[] = []
  if (s.endpoints > 0) lines.push(`Removed ${s.endpoints} workload endpoint(s) of node '${name}'`)
  if (s.peers > 0) lines.push(`Removed ${s.peers} node-specific BGP peer(s)`)
  if (s.bgpConfiguration) lines.push(`Removed BGPConfiguration node.${name}`)
  if (s.statuses > 0) lines.push(`Removed ${s.statuses} CalicoNodeStatus object(s)`)
  if (s.affinities > 0) lines.push(`Released ${s.affinities} block affinity(ies)`)
  if (s.node) lines.push(`Removed node '${name}'`)
  return lines
}

/** true when it was deleted, false when it was already gone. */
async function ignoreMissing(p: Promise<unknown>): Promise<boolean> {
  try {
    await p
    return true
  } catch (err) {
    if (err instanceof NotFoundError) return false
    throw err
  }
}
