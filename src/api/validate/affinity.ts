import type { AffinityState, BlockAffinity } from '../types.js'
import { ValidationError } from '../errors.js'
import { asBoolean, asEnum, asObject, checkFields, isAbsent, optional, optionalText } from './fields.js'
import { parseCidr } from './ip.js'
import { parseName } from './names.js'

const STATES: readonly AffinityState[] = ['confirmed', 'pending', 'pendingDeletion']

/**
 * A block affinity read from `/calico/ipam/v2/host/<node>/ipv4/block/<cidr>`: node and
 * block come from the key (the block either as a CIDR or in the key's `10.0.0.0-26` form),
 * the value is `{"state":"confirmed"}`. Calico versions before affinity states wrote an
 * empty value, which meant confirmed; `"deleted": true` marks an affinity being removed.
 */
export function parseAffinityValue(node: string, cidr: string, raw: unknown): BlockAffinity {
  const name = parseName(node, 'node')
  const cidrText = !cidr.includes('/') ? cidr.replace(/-([0-9]+)$/, '/$1') : cidr
  const block = parseCidr(cidrText, 'cidr', { strict: true })
  let value = raw
  if (typeof raw === 'string') {
    if (raw.trim() === '') value = {}
    else {
      try {
        value = JSON.parse(raw) as unknown
      } catch {
        throw new ValidationError('value', 'not JSON')
      }
    }
  }
  const o = isAbsent(value) ? {} : asObject(value, 'value')
  checkFields(o, 'value', ['state', 'deleted'])
  const state = optionalText(o, 'state', 'value', (v, p) => asEnum(v, p, STATES)) ?? 'confirmed'
  const deleted = optional(o, 'deleted', 'value', asBoolean) ?? false
  return { node: name, cidr: block.cidr, state: deleted ? 'pendingDeletion' : state }
}
