import type { CalicoNodeStatusStatus, RouteSourceType, RouteStatus } from '../../api/types.js'
import type { ProtocolDetails } from '../../bird/replies/protocol-details.js'
import type { Protocol } from '../../bird/replies/protocols.js'
import type { Route } from '../../bird/replies/routes.js'
import { parsePeerName, peerRows } from '../peers.js'
import type { IpFamily } from '../samples.js'
import { compareAddresses } from './order.js'

export type RoutesStatus = NonNullable<CalicoNodeStatusStatus['routes']>

/** One daemon's routes with the protocols that supplied them (for their kind and peer). */
export interface FamilyRoutes {
  readonly routes: readonly Route[]
  readonly protocols: readonly (Protocol | ProtocolDetails)[]
}

/** `status.routes` (empty for a daemon that did not answer). */
export function populateRoutes(v4: FamilyRoutes | undefined, v6: FamilyRoutes | undefined): RoutesStatus {
  const routesV4 = v4 === undefined ? [] : routeStatuses(v4, 4)
  const routesV6 = v6 === undefined ? [] : routeStatuses(v6, 6)
  return { ...(routesV4.length > 0 && { routesV4 }), ...(routesV6.length > 0 && { routesV6 }) }
}

/**
 * Every path BIRD holds: the selected one (`*`) is in the FIB, the others only in the RIB.
 * Where a route came from is decided by its protocol's type (`show protocols`), so the
 * names of kernel, static and direct protocols do not matter; BGP routes carry the peer.
 */
export function routeStatuses(family: FamilyRoutes, ipFamily: IpFamily): RouteStatus[] {
  const kinds = new Map(family.protocols.map((p) => [p.name, p.proto]))
  const peers = new Map(peerRows(family.protocols, ipFamily).map((p) => [p.protocol, p]))
  const out: RouteStatus[] = []
  for (const route of family.routes) {
    const learnedFrom = source(route, kinds.get(route.protocol), peers.get(route.protocol)?.peerIP, ipFamily)
    if (learnedFrom === undefined) continue
    out.push({ type: route.placement, destination: route.network, ...nextHop(route), learnedFrom })
  }
  return out.sort(
    (a, b) =>
      compareAddresses(a.destination, b.destination) ||
      (a.type === b.type ? 0 : a.type === 'FIB' ? -1 : 1) ||
      compareAddresses(a.gateway, b.gateway) ||
      (a.learnedFrom.peerIP ?? '').localeCompare(b.learnedFrom.peerIP ?? ''),
  )
}

function nextHop(route: Route): { gateway: string; interface: string } {
  const d = route.destination
  switch (d.kind) {
    case 'via':
      return { gateway: d.gateway, interface: d.interface }
    case 'dev':
      return { gateway: 'N/A', interface: d.interface }
    case 'multipath': {
      const first = d.nextHops[0]
      return first === undefined ? { gateway: 'N/A', interface: 'N/A' } : { gateway: first.gateway, interface: first.interface }
    }
    case 'blackhole':
    case 'unreachable':
    case 'prohibit':
      return { gateway: 'N/A', interface: d.kind }
  }
}

const BY_PROTO: Readonly<Record<string, RouteSourceType>> = { Kernel: 'Kernel', Static: 'Static', Direct: 'Direct' }

function source(
  route: Route,
  proto: string | undefined,
  peerIP: string | undefined,
  family: IpFamily,
): RouteStatus['learnedFrom'] | undefined {
  const kind = proto ?? guessProto(route.protocol)
  const simple = kind === undefined ? undefined : BY_PROTO[kind]
  if (simple !== undefined) return { sourceType: simple }
  if (kind !== 'BGP') return undefined
  const name = parsePeerName(route.protocol, family)
  const ip = peerIP ?? name?.address ?? route.from ?? (route.destination.kind === 'via' ? route.destination.gateway : undefined)
  const sourceType: RouteSourceType = name?.type === 'NodeMesh' ? 'NodeMesh' : 'BGPPeer'
  return ip === undefined ? { sourceType } : { sourceType, peerIP: ip }
}

/** When the protocol list is missing: Calico's name conventions. */
function guessProto(protocol: string): string | undefined {
  if (protocol.startsWith('kernel')) return 'Kernel'
  if (protocol.startsWith('static')) return 'Static'
  if (protocol.startsWith('direct')) return 'Direct'
  if (/^(Mesh|Node|Global)_/.test(protocol)) return 'BGP'
  return undefined
}
