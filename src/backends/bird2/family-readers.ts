import type { Route } from '../../bird/replies/routes.js'
import type { BirdQuery } from '../../status/bird-queries.js'
import type { FamilyReader } from '../../status/family-reader.js'
import type { IpFamily } from '../../status/samples.js'
import { BIRD2_REPLIES, type Bird2Replies } from './replies.js'
import { routeFamily } from './replies/index.js'

/**
 * The one BIRD 2 daemon seen as two families, so everything above (`node status` tables,
 * CalicoNodeStatus birdV4/birdV6, per-family health and metrics) stays as it is with
 * BIRD 1.6's two daemons. Each call asks the daemon afresh and keeps that family's part:
 * protocols by their channel (the device scanner, which has none, in both), routes by
 * their network.
 */
export function bird2Readers(bird: BirdQuery, replies: Bird2Replies = BIRD2_REPLIES): { v4: FamilyReader; v6: FamilyReader } {
  const reader = (family: IpFamily): FamilyReader => ({
    status: async () => replies.status((await bird.request('show status')).lines),
    protocols: async () => replies.protocolDetails((await bird.request('show protocols all')).lines, family),
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
