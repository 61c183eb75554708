import type { BGPPeerSpec, SourceAddress } from '../types.js'
import { ValidationError } from '../errors.js'
import { parseAsNumber } from './asn.js'
import { parseRestartTime } from './duration.js'
import {
  asBoolean, asEnum, asInteger, asObject, assignOptional, assignOptionalText, checkFields, child, isAbsent, type Obj, optionalText,
  ownField,
} from './fields.js'
import { formatPeerIP, parsePeerIP } from './ip.js'
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
] as const

/**
 * BGPPeer fields of newer Calico releases that change what the session does. falconer does
 * not implement them, so a peer that relies on one is rejected (and reported) rather than
 * brought up without it; the field's default value is accepted and dropped.
 */
const UNSUPPORTED: Readonly<Record<string, (v: unknown) => boolean>> = {
  filters: (v) => Array.isArray(v) && v.length === 0,
  localWorkloadSelector: (v) => v === '',
  reachableBy: (v) => v === '',
  keepaliveTime: () => false,
  failureDetectionMode: (v) => v === 'None',
  restartMode: (v) => v === 'GracefulRestart',
  birdGatewayMode: (v) => v === 'Recursive',
  nextHopMode: (v) => v === 'Auto',
  reversePeering: (v) => v === 'Auto',
}

const SOURCE_ADDRESSES: readonly SourceAddress[] = ['UseNodeIP', 'None']

const peerIP = (v: unknown, path: string): string => formatPeerIP(parsePeerIP(v, path))

function checkUnsupported(o: Obj, path: string): void {
  for (const [key, isDefault] of Object.entries(UNSUPPORTED)) {
    const v = ownField(o, key)
    if (!isAbsent(v) && !isDefault(v)) {
      throw new ValidationError(child(path, key), 'not supported by falconer')
    }
  }
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

  const asNumber = optionalText(o, 'asNumber', path, parseAsNumber)
  if (ip !== undefined && asNumber === undefined) {
    throw new ValidationError(child(path, 'asNumber'), 'required when peerIP is set')
  }
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
  return spec
}
