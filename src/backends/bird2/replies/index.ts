/**
 * Parsers for BIRD 2's control-socket replies. They produce the types of the BIRD 1.6
 * parsers (src/bird/replies), extended where BIRD 2 says more, so the status model reads
 * either daemon. Replies whose text BIRD 2 did not change are read by the 1.6 parsers
 * themselves, re-exported here: `show protocols` (BIRD 2's capitalised header and
 * millisecond times are understood there) and every `configure` reply.
 */
export { createStatusParser, parseStatus, type Bird2Status } from './status.js'
export {
  createProtocolDetailsParser,
  parseProtocolDetails,
  protocolsForFamily,
  type Bird2BgpDetails,
  type Bird2ProtocolDetails,
  type ChannelDetails,
  type ChannelState,
} from './protocol-details.js'
export { Bird2RouteReader, parseRouteStream, parseRoutes, routeFamily } from './routes.js'
export {
  createRouteCountParser,
  parseRouteCount,
  parseTableCountLine,
  type Bird2RouteCount,
  type RouteCountOptions,
  type TableRouteCount,
} from './route-count.js'
export { createMemoryParser, parseMemory, type Bird2Memory, type Bird2MemoryColumn } from './memory.js'
export { createProtocolsParser, parseProtocolLine, parseProtocols } from '../../../bird/replies/protocols.js'
export {
  createConfigureParser,
  parseConfigError,
  parseConfigureReply,
  type ConfigError,
  type ConfigureOutcome,
  type ConfigureReply,
} from '../../../bird/replies/configure.js'
