export { autodetectAddress, type AutodetectDeps, type AutodetectResult } from './autodetect.js'
export {
  parseAutodetectMethod,
  formatAutodetectMethod,
  DEFAULT_AUTODETECT_METHOD,
  type AutodetectMethod,
  type AutodetectMethodKind,
  type CanReachDestination,
  type InterfacePattern,
} from './method.js'
export { selectAddress, checkMethodFamily } from './select.js'
export { kernelSourceAddress } from './source-address.js'
export { DEFAULT_INTERFACE_EXCLUDES } from './default-excludes.js'
export { AutodetectMethodError, NoAddressFoundError, DestinationUnresolvedError } from './errors.js'
export { formatTrace, summariseTrace } from './explain.js'
export type { Decision, Chosen, Selection } from './decision.js'
