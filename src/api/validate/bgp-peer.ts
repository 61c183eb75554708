import type { BGPPeerSpec, SourceAddress } from '../types.js'
import { ValidationError } from '../errors.js'
import { parseAsNumber } from './asn.js'
import { parseRestartTime } from './duration.js'
import {
  asArray, asBoolean, asEnum, asInteger, asObject, item, assignOptional, assignOptionalText, checkFields, child, isAbsent, type Obj, optionalText,
  ownField,
} from './fields.js'
import { checkUsableUnicast, formatPeerIP, parseIP, parsePeerIP } from './ip.js'
import { parseName } from './names.js'
import { parsePassword } from './secret.js'
import { parseSelectorField } from './selector-field.js'

const FIELDS = [
  'node',
  'nodeSelector',
  'peerIP',
  'peerSelector',
  'asNumber',
  'password',
  'keepOriginalNextHop',
  'sourceAddress',
  'maxRestartTime',
  'ttlSecurity',
  'numAllowedLocalASNumbers',
  'localASNumber',
  'nextHopMode',
  'reversePeering',
  'reachableBy',
  'filters',
] as const

/**
 * BGPPeer fields falconer does not render, each with why. A peering that relies on one is
 * refused (and reported) rather than brought up without it; the field's default value is
 * accepted and dropped.
 */
const UNSUPPORTED: Readonly<Record<string, { isDefault: (v: unknown) => boolean; why: string }>> = {
  localWorkloadSelector: {
    isDefault: (v) => v === '',
    why: 'peering with local workloads is not supported by falconer (it does not watch workload endpoints for peers)',
  },
  keepaliveTime: { isDefault: () => false, why: 'not supported by falconer: BIRD 1.6 derives the keepalive from the hold time' },
  failureDetectionMode: { isDefault: (v) => v === 'None', why: 'BFDIfDirectlyConnected is not supported by falconer (it runs no BFD)' },
  restartMode: { isDefault: (v) => v === 'GracefulRestart', why: 'LongLivedGracefulRestart is not supported by BIRD 1.6' },
  birdGatewayMode: { isDefault: (v) => v === 'Recursive', why: 'DirectIfDirectlyConnected is not supported by falconer' },
}

const SOURCE_ADDRESSES: readonly SourceAddress[] = ['UseNodeIP', 'None']

const peerIP = (v: unknown, path: string): string => formatPeerIP(parsePeerIP(v, path))

function checkUnsupported(o: Obj, path: string): void {
  for (const [key, { isDefault, why }] of Object.entries(UNSUPPORTED)) {
    const v = ownField(o, key)
    if (!isAbsent(v) && !isDefault(v)) throw new ValidationError(child(path, key), why)
  }
}

function parseFilterNames(v: unknown, path: string): string[] {
  const seen = new Set<string>()
  return asArray(v, path).map((raw, i) => {
    const name = parseName(raw, item(path, i))
    if (seen.has(name)) throw new ValidationError(item(path, i), `BGPFilter ${JSON.stringify(name)} is listed twice`)
    seen.add(name)
    return name
  })
}

export function parseBGPPeerSpec(v: unknown, path: string): BGPPeerSpec {
  const o = asObject(v ?? {}, path)
  checkFields(o, path, [...FIELDS, ...Object.keys(UNSUPPORTED)])
  checkUnsupported(o, path)
  const spec: BGPPeerSpec = {}

  const node = optionalText(o, 'node', path, parseName)
  const nodeSelector = optionalText(o, 'nodeSelector', path, parseSelectorField)
  if (node !== undefined && nodeSelector !== undefined) {
    throw new ValidationError(child(path, 'node'), 'must not be set together with nodeSelector')
  }
  if (node !== undefined) spec.node = node
  if (nodeSelector !== undefined) spec.nodeSelector = nodeSelector

  const ip = optionalText(o, 'peerIP', path, peerIP)
  const peerSelector = optionalText(o, 'peerSelector', path, parseSelectorField)
  if ((ip === undefined) === (peerSelector === undefined)) {
    throw new ValidationError(
      child(path, 'peerIP'),
      `exactly one of peerIP and peerSelector must be set (${ip === undefined ? 'neither is' : 'both are'})`,
    )
  }
  if (ip !== undefined) spec.peerIP = ip
  if (peerSelector !== undefined) spec.peerSelector = peerSelector

  // Without asNumber a peerIP peering is in the node's own AS (iBGP), as in Calico.
  const asNumber = optionalText(o, 'asNumber', path, parseAsNumber)
  if (peerSelector !== undefined && asNumber !== undefined) {
    throw new ValidationError(child(path, 'asNumber'), 'must not be set with peerSelector (the AS number comes from the selected nodes)')
  }
  if (asNumber !== undefined) spec.asNumber = asNumber

  assignOptional(spec, 'password', o, path, parsePassword)
  assignOptional(spec, 'keepOriginalNextHop', o, path, asBoolean)
  assignOptionalText(spec, 'sourceAddress', o, path, (x, p) => asEnum(x, p, SOURCE_ADDRESSES))
  assignOptionalText(spec, 'maxRestartTime', o, path, parseRestartTime)
  assignOptional(spec, 'ttlSecurity', o, path, (x, p) => asInteger(x, p, 0, 255))
  assignOptional(spec, 'numAllowedLocalASNumbers', o, path, (x, p) => asInteger(x, p, 0, 10))
  assignOptionalText(spec, 'localASNumber', o, path, parseAsNumber)
  assignOptionalText(spec, 'nextHopMode', o, path, (x, p) => asEnum(x, p, ['Auto', 'Self', 'Keep'] as const))
  if (spec.keepOriginalNextHop === true && spec.nextHopMode !== undefined && spec.nextHopMode !== 'Auto') {
    throw new ValidationError(child(path, 'nextHopMode'), 'must not be set together with keepOriginalNextHop (use nextHopMode: Keep alone)')
  }
  assignOptionalText(spec, 'reversePeering', o, path, (x, p) => asEnum(x, p, ['Auto', 'Manual'] as const))
  const reachableBy = optionalText(o, 'reachableBy', path, (x, p) => parseIP(x, p))
  if (reachableBy !== undefined) {
    const p = child(path, 'reachableBy')
    if (ip === undefined) throw new ValidationError(p, 'requires peerIP')
    checkUsableUnicast(reachableBy.address, p)
    if (reachableBy.family !== parsePeerIP(ip, child(path, 'peerIP')).family) {
      throw new ValidationError(p, 'must be of the same address family as peerIP')
    }
    spec.reachableBy = reachableBy.address
  }
  assignOptional(spec, 'filters', o, path, parseFilterNames)
  return spec
}
