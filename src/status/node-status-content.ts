import type { CalicoNodeStatusStatus, NodeStatusClass } from '../api/types.js'
import type { ProtocolDetails } from '../bird/replies/protocol-details.js'
import type { Route } from '../bird/replies/routes.js'
import type { BirdStatus } from '../bird/replies/status.js'
import { peerRows } from './peers.js'
import { populateAgent } from './populators/agent.js'
import { populateBgp } from './populators/bgp.js'
import { populateRoutes } from './populators/routes.js'

/** What was read from one daemon; only the replies the requested classes need are present. */
export type FamilyObservation =
  | { readonly answering: false }
  | {
      readonly answering: true
      readonly status?: BirdStatus
      readonly protocols?: readonly ProtocolDetails[]
      readonly routes?: readonly Route[]
    }

export interface Observation {
  readonly v4: FamilyObservation
  readonly v6: FamilyObservation
}

/** The status without `lastUpdated`: what is compared to decide whether to write. */
export type StatusContent = Omit<CalicoNodeStatusStatus, 'lastUpdated'>

/** Which BIRD replies each class needs. */
export function repliesNeeded(classes: readonly NodeStatusClass[]): { status: boolean; protocols: boolean; routes: boolean } {
  const has = (c: NodeStatusClass) => classes.includes(c)
  // Routes need the protocol list too, to tell kernel/static/direct/BGP apart and name peers.
  return { status: has('Agent'), protocols: has('BGP') || has('Routes'), routes: has('Routes') }
}

/** Pure: the CalicoNodeStatus status for `classes` from what the daemons answered. */
export function statusContent(classes: readonly NodeStatusClass[], obs: Observation): StatusContent {
  const up = (o: FamilyObservation) => (o.answering ? o : undefined)
  const v4 = up(obs.v4)
  const v6 = up(obs.v6)
  const content: { -readonly [K in keyof StatusContent]: StatusContent[K] } = {}
  if (classes.includes('Agent')) content.agent = populateAgent(v4?.status, v6?.status)
  if (classes.includes('BGP')) content.bgp = populateBgp(peerRows(v4?.protocols ?? [], 4), peerRows(v6?.protocols ?? [], 6))
  if (classes.includes('Routes')) {
    const family = (o: typeof v4) => (o?.routes === undefined ? undefined : { routes: o.routes, protocols: o.protocols ?? [] })
    content.routes = populateRoutes(family(v4), family(v6))
  }
  return content
}
