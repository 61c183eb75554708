import { isIPv6 } from 'node:net'
import type { BirdQuery } from '../../status/bird-queries.js'
import type { FamilyReader } from '../../status/family-reader.js'
import { parsePeerName } from '../../status/peers.js'
import type { IpFamily } from '../../status/samples.js'
import type { ProtocolDetails } from '../../bird/replies/protocol-details.js'
import type { Route } from '../../bird/replies/routes.js'
import { BIRD2_REPLIES, type Bird2Replies } from './replies.js'

/**
 * The one BIRD 2 daemon seen as two families, so everything above (`node status` tables,
 * CalicoNodeStatus birdV4/birdV6, per-family health and metrics) stays as it is with
 * BIRD 1.6's two daemons. Each call asks the daemon afresh and keeps that family's part.
 */
export function bird2Readers(bird: BirdQuery, replies: Bird2Replies = BIRD2_REPLIES): { v4: FamilyReader; v6: FamilyReader } {
  const reader = (family: IpFamily): FamilyReader => ({
    status: async () => replies.status((await bird.request('show status')).lines),
    protocols: async () =>
      replies.protocolDetails((await bird.request('show protocols all')).lines).filter((p) => inFamily(p, family)),
    routes: async (timeoutMs) => {
      const routes: Route[] = []
      for await (const route of replies.routeStream(bird.stream('show route', timeoutMs === undefined ? {} : { timeoutMs }))) {
        if (routeFamily(route) === family) routes.push(route)
      }
      return routes
    },
  })
  return { v4: reader(4), v6: reader(6) }
}

export function routeFamily(route: Pick<Route, 'network'>): IpFamily {
  return isIPv6(route.network.split('/')[0] ?? '') ? 6 : 4
}

/**
 * Which family a protocol of the one daemon belongs to: a BGP session by the address it
 * dials; any other protocol by its table (`master4`, `master6`, as the BIRD 2 templates
 * attach each channel); a protocol of neither (the device scanner) counts for both, as
 * each BIRD 1.6 daemon had one of its own.
 */
export function protocolFamily(p: ProtocolDetails): IpFamily | 'both' {
  const neighbor = p.bgpDetails?.neighborAddress
  if (neighbor !== undefined) return isIPv6(neighbor) ? 6 : 4
  if (/6$/.test(p.table)) return 6
  if (/4$/.test(p.table)) return 4
  // a session BIRD says nothing about yet: the address its name encodes
  if (p.proto === 'BGP') return parsePeerName(p.name, 6)?.address !== undefined ? 6 : 4
  if (/6$/.test(p.name)) return 6
  if (/4$/.test(p.name)) return 4
  return 'both'
}

function inFamily(p: ProtocolDetails, family: IpFamily): boolean {
  const f = protocolFamily(p)
  return f === 'both' || f === family
}
