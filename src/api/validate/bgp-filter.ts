import type { BGPFilterRule, BGPFilterSpec } from '../types.js'
import { ValidationError } from '../errors.js'
import {
  asArray, asEnum, asInteger, asObject, assignOptional, assignOptionalText, checkFields, child, isAbsent, item, optional, ownField,
  required,
} from './fields.js'
import { parseInterfacePattern } from './interface-pattern.js'
import { parseCidr, type IPFamily } from './ip.js'

const DIRECTIONS = ['exportV4', 'importV4', 'exportV6', 'importV6'] as const
const RULE_FIELDS = ['action', 'cidr', 'matchOperator', 'prefixLength', 'source', 'interface'] as const

/**
 * Rule fields of newer Calico releases (match on peer type, communities, AS path, priority;
 * rewrite operations). falconer does not render them, and a filter that skipped one would
 * accept or reject other routes than the operator wrote, so the whole BGPFilter is refused.
 */
const NOT_RENDERED = ['peerType', 'communities', 'asPathPrefix', 'priority', 'operations'] as const

function parseRule(v: unknown, path: string, family: IPFamily): BGPFilterRule {
  const o = asObject(v, path)
  checkFields(o, path, [...RULE_FIELDS, ...NOT_RENDERED])
  for (const key of NOT_RENDERED) {
    if (!isAbsent(ownField(o, key))) throw new ValidationError(child(path, key), 'not supported by falconer: this match or operation is not rendered')
  }
  const rule: BGPFilterRule = { action: required(o, 'action', path, (x, p) => asEnum(x, p, ['Accept', 'Reject'] as const)) }
  // BIRD refuses a prefix with host bits, so the CIDR must be a network, as in an IP pool.
  assignOptionalText(rule, 'cidr', o, path, (x, p) => parseCidr(x, p, { strict: true, family }).cidr)
  assignOptionalText(rule, 'matchOperator', o, path, (x, p) => asEnum(x, p, ['Equal', 'NotEqual', 'In', 'NotIn'] as const))
  if ((rule.cidr === undefined) !== (rule.matchOperator === undefined)) {
    throw new ValidationError(child(path, rule.cidr === undefined ? 'cidr' : 'matchOperator'), 'cidr and matchOperator must be set together')
  }
  const max = family === 4 ? 32 : 128
  const prefixLength = optional(o, 'prefixLength', path, (x, p) => {
    const pl = asObject(x, p)
    checkFields(pl, p, ['min', 'max'])
    const out: { min?: number; max?: number } = {}
    assignOptional(out, 'min', pl, p, (n, q) => asInteger(n, q, 0, max))
    assignOptional(out, 'max', pl, p, (n, q) => asInteger(n, q, 0, max))
    return out
  })
  if (prefixLength !== undefined) {
    if (rule.cidr === undefined) throw new ValidationError(child(path, 'prefixLength'), 'requires cidr')
    rule.prefixLength = prefixLength
  }
  assignOptionalText(rule, 'source', o, path, (x, p) => asEnum(x, p, ['RemotePeers'] as const))
  assignOptionalText(rule, 'interface', o, path, parseInterfacePattern)
  // Calico's field order (BGPFilterRuleV4/V6), so the stored JSON is what calicoctl writes.
  const ordered: Record<string, unknown> = {}
  for (const key of ['cidr', 'prefixLength', 'source', 'interface', 'matchOperator', 'action'] as const) {
    if (rule[key] !== undefined) ordered[key] = rule[key]
  }
  return ordered as unknown as BGPFilterRule
}

export function parseBGPFilterSpec(v: unknown, path: string): BGPFilterSpec {
  const o = asObject(v ?? {}, path)
  checkFields(o, path, DIRECTIONS)
  const spec: BGPFilterSpec = {}
  for (const dir of DIRECTIONS) {
    const family: IPFamily = dir.endsWith('V4') ? 4 : 6
    const rules = optional(o, dir, path, (x, p) => asArray(x, p).map((r, i) => parseRule(r, item(p, i), family)))
    if (rules !== undefined) spec[dir] = rules
  }
  return spec
}
