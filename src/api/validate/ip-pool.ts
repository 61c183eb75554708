import type { IPPoolSpec } from '../types.js'
import { ValidationError } from '../errors.js'
import {
  asBoolean, asDistinctEnums, asEnum, asInteger, asObject, assignOptional, assignOptionalText, checkFields, child, copyPreserved,
  optional, optionalText, required,
} from './fields.js'
import { cidrOverlaps, type IPFamily, parseCidr } from './ip.js'
import { parseSelectorField } from './selector-field.js'

const FIELDS = [
  'cidr',
  'blockSize',
  'ipipMode',
  'vxlanMode',
  'natOutgoing',
  'disabled',
  'disableBGPExport',
  'nodeSelector',
  'allowedUses',
] as const

/** IPAM assignment policy: irrelevant to routing, kept as written. */
const PRESERVED = ['assignmentMode'] as const

const MODES = ['Never', 'Always', 'CrossSubnet'] as const
const USES = ['Workload', 'Tunnel'] as const

export const BLOCK_SIZE: Readonly<Record<IPFamily, { min: number; max: number; default: number }>> = {
  4: { min: 20, max: 32, default: 26 },
  6: { min: 116, max: 128, default: 122 },
}

const LINK_LOCAL: Readonly<Record<IPFamily, string>> = { 4: '169.254.0.0/16', 6: 'fe80::/10' }

export function parseIPPoolSpec(v: unknown, path: string): IPPoolSpec {
  const o = asObject(v ?? {}, path)
  checkFields(o, path, [...FIELDS, ...PRESERVED])
  const cidrPath = child(path, 'cidr')
  // Strictly masked, as Calico requires: a pool written with host bits is a typo, not a wish.
  const pool = required(o, 'cidr', path, (x, p) => parseCidr(x, p, { strict: true }))
  const limits = BLOCK_SIZE[pool.family]
  const blockSize =
    optional(o, 'blockSize', path, (x, p) => {
      const n = asInteger(x, p, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
      if (n < limits.min || n > limits.max) {
        throw new ValidationError(p, `must be between ${limits.min} and ${limits.max} for an IPv${pool.family} pool, got ${n}`)
      }
      return n
    }) ?? limits.default
  const spec: IPPoolSpec = { cidr: pool.cidr, blockSize }

  const ipipMode = optionalText(o, 'ipipMode', path, (x, p) => asEnum(x, p, MODES))
  const vxlanMode = optionalText(o, 'vxlanMode', path, (x, p) => asEnum(x, p, MODES))
  if (pool.family === 6 && ipipMode !== undefined && ipipMode !== 'Never') {
    throw new ValidationError(child(path, 'ipipMode'), 'IP-in-IP carries IPv4 only: must be Never on an IPv6 pool')
  }
  if (ipipMode !== undefined && ipipMode !== 'Never' && vxlanMode !== undefined && vxlanMode !== 'Never') {
    throw new ValidationError(child(path, 'vxlanMode'), 'IP-in-IP and VXLAN cannot both be enabled on one pool')
  }
  if (ipipMode !== undefined) spec.ipipMode = ipipMode
  if (vxlanMode !== undefined) spec.vxlanMode = vxlanMode

  assignOptional(spec, 'natOutgoing', o, path, asBoolean)
  assignOptional(spec, 'disabled', o, path, asBoolean)
  assignOptional(spec, 'disableBGPExport', o, path, asBoolean)
  assignOptionalText(spec, 'nodeSelector', o, path, parseSelectorField)
  assignOptional(spec, 'allowedUses', o, path, (x, p) => asDistinctEnums(x, p, USES, 'use'))

  // Blocks are carved out of the pool, so it must hold at least one (Calico skips the check
  // for disabled pools, which never hand out blocks).
  if (spec.disabled !== true && pool.prefixLen > blockSize) {
    throw new ValidationError(cidrPath, `a /${pool.prefixLen} pool is smaller than one block (blockSize ${blockSize})`)
  }
  if (cidrOverlaps(pool.cidr, LINK_LOCAL[pool.family])) {
    throw new ValidationError(cidrPath, `overlaps the link-local range ${LINK_LOCAL[pool.family]}`)
  }
  copyPreserved(o, path, PRESERVED, spec)
  return spec
}
