import type { LineInput } from '../../bird/replies/lines.js'
import { parseProtocolDetails, type ProtocolDetails } from '../../bird/replies/protocol-details.js'
import { parseRouteStream, type Route } from '../../bird/replies/routes.js'
import { parseStatus, type BirdStatus } from '../../bird/replies/status.js'

/**
 * The parsers of BIRD 2's replies the backend reads with, producing the shared reply types
 * the status model consumes.
 */
export interface Bird2Replies {
  status(lines: Iterable<LineInput>): BirdStatus
  protocolDetails(lines: Iterable<LineInput>): ProtocolDetails[]
  routeStream(lines: AsyncIterable<LineInput>): AsyncIterable<Route>
}

/**
 * BIRD 2 keeps 1.6's framing and its `show status` layout; `show protocols all` adds
 * channel sections (whose Routes and Route change stats lines the 1.6 parser already
 * takes) and repeats the column header as a row, which is dropped here.
 */
export const BIRD2_REPLIES: Bird2Replies = {
  status: (lines) => parseStatus(lines),
  protocolDetails: (lines) => parseProtocolDetails(lines).filter((p) => !(p.name === 'Name' && p.proto === 'Proto')),
  routeStream: (lines) => parseRouteStream(lines),
}
