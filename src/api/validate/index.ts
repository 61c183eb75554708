export { validateResource, validateKind } from './resource.js'
export { parseAffinityValue } from './affinity.js'
export { resolveKind } from './kinds.js'
export { parseAsNumber, formatAsNumber, formatAsDot, MAX_AS_NUMBER } from './asn.js'
export {
  parseIP,
  parseCidr,
  parsePeerIP,
  formatPeerIP,
  checkUsableUnicast,
  ipToBigInt,
  bigIntToIP,
  cidrContains,
  cidrOverlaps,
  type IPFamily,
  type ParsedIP,
  type ParsedCidr,
  type ParsedPeerIP,
  type CidrOptions,
} from './ip.js'
export { parseGoDuration, parseGoDurationNs, formatGoDurationNs, parseRestartTime, MAX_RESTART_SECONDS } from './duration.js'
export { isBirdSafeSecret, MAX_SECRET_LENGTH } from './secret.js'
export { isValidName, isValidDnsLabel, labelKeyProblem, labelValueProblem } from './names.js'
export { isCommunityName, parseCommunityValue, formatCommunity, type CommunityValue } from './community.js'
export { isInterfacePattern } from './interface-pattern.js'
export { BLOCK_SIZE } from './ip-pool.js'
