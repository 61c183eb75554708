import type { DrainIntent, Family, PeerIntent } from '../../bgp/intent/types.js'

/**
 * The drain (`falconer node drain`) as gobgpd export-policy statements, one family at a time.
 *
 * gobgpd has no per-session export filter, so each group of sessions that gets the same
 * treatment is a neighbor set, and each set one statement at the very start of
 * `calico_export`. The statements carry modification actions and NO route-disposition:
 * gobgpd then goes on to the next statement with the modified route, so the usual rules
 * (BGPFilters, pools not exported, blocks…) still decide accept or reject, exactly as the
 * BIRD filter sets the drain's attributes and then calls the usual rules.
 *
 * gobgpd applies the export policy after it has prepared the route for the peer (its own
 * AS prepended towards eBGP, LOCAL_PREF 100 added towards iBGP when absent) and removes
 * LOCAL_PREF towards eBGP only after the policy; so what is set here is what the peer sees.
 */
export interface DrainStatement {
  readonly name: string
  readonly neighborSet: string
  /** Standard communities added (`a:b`). */
  readonly communities: readonly string[]
  readonly localPref?: number
  readonly prepend?: { readonly as: number; readonly repeat: number }
}

export interface DrainPolicy {
  /** Neighbor sets to define, in output order. */
  readonly neighborSets: readonly (readonly [name: string, addresses: readonly string[]])[]
  readonly statements: readonly DrainStatement[]
}

/**
 * gobgpd reads `set-local-pref = 0` as "no local-pref action" (the value is a plain uint32
 * whose zero means unset; NewLocalPrefAction returns no action for 0, in the config file
 * and in the API alike), so LOCAL_PREF 0 cannot be sent. 1 is the lowest it can send:
 * below every default (100), above only a BIRD-drained node's 0.
 */
export const GOBGP_LOWEST_LOCAL_PREF = 1

/** What to add to `calico_export` for one family; nothing when the node is not drained. */
export function drainPolicy(drain: DrainIntent | undefined, family: Family, familyAs: number, peers: readonly PeerIntent[]): DrainPolicy {
  if (drain === undefined || peers.length === 0) return { neighborSets: [], statements: [] }
  const v = `v${family}`
  const community = [`${drain.community[0]}:${drain.community[1]}`]
  const neighborSets: [string, readonly string[]][] = []
  const statements: DrainStatement[] = []

  const internal = peers.filter((p) => p.internal).map((p) => p.address)
  if (internal.length > 0) {
    const set = `drain_internal_${v}`
    neighborSets.push([set, internal])
    statements.push({ name: set, neighborSet: set, communities: community, localPref: Math.max(drain.internalLocalPref, GOBGP_LOWEST_LOCAL_PREF) })
  }

  // eBGP: the session's own AS (a BGPPeer's localASNumber, else the node's) three more
  // times; a prepend action names one AS, so one statement per distinct local AS.
  const byAs = new Map<number, string[]>()
  for (const p of peers) {
    if (p.internal) continue
    const as = p.localAs ?? familyAs
    byAs.set(as, [...(byAs.get(as) ?? []), p.address])
  }
  for (const [as, addresses] of [...byAs].sort(([a], [b]) => a - b)) {
    const set = `drain_external_as${as}_${v}`
    neighborSets.push([set, addresses])
    statements.push({ name: set, neighborSet: set, communities: community, prepend: { as, repeat: drain.externalPrepends } })
  }
  return { neighborSets, statements }
}
