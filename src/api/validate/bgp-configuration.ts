import type { BGPConfigurationSpec, Community, LogSeverity, PrefixAdvertisement, ServiceClusterIPBlock } from '../types.js'
import { ValidationError } from '../errors.js'
import { parseAsNumber } from './asn.js'
import { formatCommunity, looksLikeCommunityValue, parseCommunityName, parseCommunityValue } from './community.js'
import { parseRestartTime } from './duration.js'
import {
  asArray, asBoolean, asEnum, asInteger, asObject, asString, assignOptional, assignOptionalText, checkFields, child,
  copyPreserved, isAbsent, item, optional, optionalText, ownField, required,
} from './fields.js'
import { parseInterfacePattern } from './interface-pattern.js'
import { parseCidr } from './ip.js'
import { isValidName } from './names.js'
import { parsePassword } from './secret.js'

const FIELDS = [
  'logSeverityScreen',
  'nodeToNodeMeshEnabled',
  'asNumber',
  'listenPort',
  'communities',
  'prefixAdvertisements',
  'serviceClusterIPs',
  'serviceExternalIPs',
  'ignoredInterfaces',
  'nodeMeshPassword',
  'nodeMeshMaxRestartTime',
  'bindMode',
  'programClusterRoutes',
] as const

/**
 * Calico fields falconer does not act on. Leaving them out only means less is advertised,
 * never more, so they are kept rather than rejected: rejecting `default` would drop the
 * cluster's AS number and mesh setting.
 */
const PRESERVED = ['serviceLoadBalancerIPs', 'localWorkloadPeeringIPV4', 'localWorkloadPeeringIPV6'] as const

/**
 * Fields falconer does not render and whose absence would change more than what is
 * advertised: refused with why (an unset field is fine).
 */
const REFUSED: Readonly<Record<string, string>> = {
  ipv4NormalRoutePriority:
    'not supported by falconer: it does not set kernel route metrics for BGP routes (leave it unset)',
  ipv6NormalRoutePriority:
    'not supported by falconer: it does not set kernel route metrics for BGP routes (leave it unset)',
}

const SEVERITIES: readonly LogSeverity[] = ['Debug', 'Info', 'Warning', 'Error', 'Fatal', 'None']

/** `default`, or `node.<nodename>` for per-node settings. */
export function checkBGPConfigurationName(name: string, path: string): void {
  if (name === 'default') return
  if (name.startsWith('node.') && isValidName(name.slice('node.'.length))) return
  throw new ValidationError(path, `must be "default" or "node.<nodename>", got ${JSON.stringify(name)}`)
}

/** A network to advertise: strictly masked (BIRD rejects a prefix with host bits). */
const network = (v: unknown, path: string): string => parseCidr(v, path, { strict: true, allowAddress: true }).cidr

function parseCommunities(v: unknown, path: string): Community[] {
  const seen = new Set<string>()
  return asArray(v, path).map((raw, i) => {
    const p = item(path, i)
    const o = asObject(raw, p)
    checkFields(o, p, ['name', 'value'])
    const name = required(o, 'name', p, parseCommunityName)
    if (seen.has(name)) throw new ValidationError(child(p, 'name'), `duplicate community name ${JSON.stringify(name)}`)
    seen.add(name)
    const value = formatCommunity(required(o, 'value', p, parseCommunityValue))
    return { name, value }
  })
}

function parsePrefixAdvertisements(v: unknown, path: string, names: ReadonlySet<string>): PrefixAdvertisement[] {
  return asArray(v, path).map((raw, i) => {
    const p = item(path, i)
    const o = asObject(raw, p)
    checkFields(o, p, ['cidr', 'communities'])
    const cidr = required(o, 'cidr', p, network)
    const listPath = child(p, 'communities')
    const list = required(o, 'communities', p, asArray)
    if (list.length === 0) throw new ValidationError(listPath, 'must name at least one community')
    const communities = list.map((c, j) => {
      const cp = item(listPath, j)
      const s = asString(c, cp)
      if (looksLikeCommunityValue(s)) return formatCommunity(parseCommunityValue(s, cp))
      if (names.has(s)) return s
      throw new ValidationError(cp, `${JSON.stringify(s)} is neither a community value (aa:nn or aa:nn:mm) nor a name defined in spec.communities`)
    })
    return { cidr, communities }
  })
}

function parseServiceBlocks(v: unknown, path: string): ServiceClusterIPBlock[] {
  return asArray(v, path).map((raw, i) => {
    const p = item(path, i)
    const o = asObject(raw, p)
    checkFields(o, p, ['cidr'])
    return { cidr: required(o, 'cidr', p, network) }
  })
}

const strings =
  <T>(parse: (v: unknown, path: string) => T) =>
  (v: unknown, path: string): T[] =>
    asArray(v, path).map((x, i) => parse(x, item(path, i)))

export function parseBGPConfigurationSpec(v: unknown, path: string): BGPConfigurationSpec {
  const o = asObject(v ?? {}, path)
  checkFields(o, path, [...FIELDS, ...PRESERVED, ...Object.keys(REFUSED)])
  for (const [key, why] of Object.entries(REFUSED)) {
    if (!isAbsent(ownField(o, key))) throw new ValidationError(child(path, key), why)
  }
  const spec: BGPConfigurationSpec = {}

  assignOptionalText(spec, 'logSeverityScreen', o, path, (x, p) => asEnum(x, p, SEVERITIES))
  assignOptional(spec, 'nodeToNodeMeshEnabled', o, path, asBoolean)
  assignOptionalText(spec, 'asNumber', o, path, parseAsNumber)
  assignOptional(spec, 'listenPort', o, path, (x, p) => asInteger(x, p, 1, 65535))

  const communities = optional(o, 'communities', path, parseCommunities)
  const names = new Set((communities ?? []).map((c) => c.name))
  const adverts = optional(o, 'prefixAdvertisements', path, (x, p) => parsePrefixAdvertisements(x, p, names))
  if (communities !== undefined && communities.length > 0 && (adverts ?? []).length === 0) {
    // Calico rejects this too: a community nobody references is almost certainly a mistake.
    throw new ValidationError(child(path, 'communities'), 'defined but not used by any prefixAdvertisements entry')
  }
  if (communities !== undefined) spec.communities = communities
  if (adverts !== undefined) spec.prefixAdvertisements = adverts

  assignOptional(spec, 'serviceClusterIPs', o, path, parseServiceBlocks)
  assignOptional(spec, 'serviceExternalIPs', o, path, parseServiceBlocks)
  assignOptional(spec, 'ignoredInterfaces', o, path, strings(parseInterfacePattern))

  const meshPassword = optional(o, 'nodeMeshPassword', path, parsePassword)
  const meshRestart = optionalText(o, 'nodeMeshMaxRestartTime', path, parseRestartTime)
  const mesh = spec.nodeToNodeMeshEnabled
  if (mesh === false && meshPassword !== undefined) {
    throw new ValidationError(child(path, 'nodeMeshPassword'), 'cannot be set when nodeToNodeMeshEnabled is false')
  }
  if (mesh === false && meshRestart !== undefined) {
    throw new ValidationError(child(path, 'nodeMeshMaxRestartTime'), 'cannot be set when nodeToNodeMeshEnabled is false')
  }
  if (meshPassword !== undefined) spec.nodeMeshPassword = meshPassword
  if (meshRestart !== undefined) spec.nodeMeshMaxRestartTime = meshRestart

  assignOptionalText(spec, 'bindMode', o, path, (x, p) => asEnum(x, p, ['None', 'NodeIP'] as const))
  assignOptionalText(spec, 'programClusterRoutes', o, path, (x, p) =>
    asEnum(x, p, ['Enabled', 'Disabled', 'EnabledIPIPOnly', 'EnabledNoEncapOnly'] as const),
  )
  copyPreserved(o, path, PRESERVED, spec)
  return spec
}
