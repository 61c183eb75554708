export { IncompleteReplyError } from './errors.js'
export {
  textOf,
  runParser,
  runParserAsync,
  type LineInput,
  type LineParser,
  type ParserLog,
  type ParserOptions,
} from './lines.js'
export { parseBirdTimestamp, timestampToDate, type BirdTimestamp } from './timestamp.js'
export { createStatusParser, parseStatus, type BirdStatus, type DaemonState } from './status.js'
export {
  BGP_STATES,
  createProtocolsParser,
  parseProtocolLine,
  parseProtocols,
  type BgpState,
  type BgpSummary,
  type Protocol,
  type ProtocolState,
} from './protocols.js'
export {
  createProtocolDetailsParser,
  parseProtocolDetails,
  type BgpDetails,
  type BgpSession,
  type NeighborCapability,
  type ProtocolDetails,
  type RouteChangeCounters,
  type RouteChangeStats,
  type RouteCounts,
  type SessionFlag,
  type TimerValue,
} from './protocol-details.js'
export {
  RouteReader,
  parseRouteBatches,
  parseRouteStream,
  parseRoutes,
  type NextHop,
  type Route,
  type RouteDestination,
  type RouteSource,
  type RouteType,
} from './routes.js'
export { bgpAttributes, type AsPathSegment, type BgpOrigin, type BgpRouteAttributes } from './bgp-attributes.js'
export { createRouteCountParser, parseRouteCount, parseRouteCountLine, type RouteCount } from './route-count.js'
export { createMemoryParser, parseMemory, parseMemorySize, type BirdMemory } from './memory.js'
export {
  createConfigureParser,
  parseConfigCheckOutput,
  parseConfigError,
  parseConfigureReply,
  type ConfigError,
  type ConfigureOutcome,
  type ConfigureReply,
} from './configure.js'
