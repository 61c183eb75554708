import type { LineInput } from '../../bird/replies/lines.js'
import type { ProtocolDetails } from '../../bird/replies/protocol-details.js'
import type { Route } from '../../bird/replies/routes.js'
import type { BirdStatus } from '../../bird/replies/status.js'
import { parseProtocolDetails, parseRouteStream, parseStatus, protocolsForFamily } from './replies/index.js'

/**
 * What the BIRD 2 family readers parse with (./replies), in the shared reply types the
 * status model consumes. A seam of its own so a reader can be driven by recorded replies.
 */
export interface Bird2Replies {
  status(lines: Iterable<LineInput>): BirdStatus
  /** `show protocols all`, one family's view of it. */
  protocolDetails(lines: Iterable<LineInput>, family: 4 | 6): ProtocolDetails[]
  routeStream(lines: AsyncIterable<LineInput>): AsyncIterable<Route>
}

export const BIRD2_REPLIES: Bird2Replies = {
  status: (lines) => parseStatus(lines),
  protocolDetails: (lines, family) => protocolsForFamily(parseProtocolDetails(lines), family),
  routeStream: (lines) => parseRouteStream(lines),
}
