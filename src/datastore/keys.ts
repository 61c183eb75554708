import { ValidationError } from '../api/errors.js'
import { KINDS, PLURALS, type ResourceKind } from '../api/types.js'
import { formatCidr, parseCidr, type Cidr, type IpFamily } from './cidr.js'

/**
 * Calico's etcd v3 key layout, as pure functions. Every key falconer reads or writes is
 * built here, so the layout is in one place and testable without etcd.
 */

export const RESOURCE_ROOT = '/calico/resources/v3/projectcalico.org/'
export const IPAM_HOST_ROOT = '/calico/ipam/v2/host/'
export const IPAM_BLOCK_ROOT = '/calico/ipam/v2/assignment/'

const KIND_BY_PLURAL = new Map<string, ResourceKind>(KINDS.map((k) => [PLURALS[k], k]))

export function isNamespaced(kind: ResourceKind): boolean {
  return kind === 'WorkloadEndpoint'
}

/** A key segment: non-empty, no '/', which would shift every later segment. */
function segment(value: string | undefined, path: string): string {
  if (value === undefined || value === '') throw new ValidationError(path, 'must not be empty')
  if (value.includes('/')) throw new ValidationError(path, `"${value}" must not contain "/"`)
  return value
}

export function resourceKey(kind: ResourceKind, name: string, namespace?: string): string {
  const base = `${RESOURCE_ROOT}${PLURALS[kind]}/`
  if (isNamespaced(kind)) {
    return `${base}${segment(namespace, 'metadata.namespace')}/${segment(name, 'metadata.name')}`
  }
  return `${base}${segment(name, 'metadata.name')}`
}

/** All keys of a kind, or of one namespace of a namespaced kind. */
export function resourcePrefix(kind: ResourceKind, namespace?: string): string {
  const base = `${RESOURCE_ROOT}${PLURALS[kind]}/`
  return isNamespaced(kind) && namespace !== undefined ? `${base}${segment(namespace, 'metadata.namespace')}/` : base
}

/** "192.168.0.0/26" → "192.168.0.0-26", "fd99::/122" → "fd99::-122" (Calico's BlockKey). */
export function cidrKeySegment(cidr: Cidr): string {
  return formatCidr(cidr).replace('/', '-')
}

function cidrFromKeySegment(text: string): Cidr {
  const dash = text.lastIndexOf('-')
  return parseCidr(dash < 0 ? text : `${text.slice(0, dash)}/${text.slice(dash + 1)}`)
}

export function affinityKey(node: string, cidr: Cidr): string {
  return `${IPAM_HOST_ROOT}${segment(node, 'node')}/ipv${cidr.family}/block/${cidrKeySegment(cidr)}`
}

/** All affinities, those of one node, or those of one node and family. */
export function affinityPrefix(node?: string, family?: IpFamily): string {
  if (node === undefined) return IPAM_HOST_ROOT
  const base = `${IPAM_HOST_ROOT}${segment(node, 'node')}/`
  return family === undefined ? base : `${base}ipv${family}/block/`
}

export function blockKey(cidr: Cidr): string {
  return `${IPAM_BLOCK_ROOT}ipv${cidr.family}/block/${cidrKeySegment(cidr)}`
}

export function blockPrefix(family: IpFamily): string {
  return `${IPAM_BLOCK_ROOT}ipv${family}/block/`
}

export type ParsedKey =
  | { readonly type: 'resource'; readonly kind: ResourceKind; readonly name: string; readonly namespace?: string }
  | { readonly type: 'affinity'; readonly node: string; readonly cidr: Cidr }
  | { readonly type: 'block'; readonly cidr: Cidr }

const RESOURCE_RE = /^\/calico\/resources\/v3\/projectcalico\.org\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/
const AFFINITY_RE = /^\/calico\/ipam\/v2\/host\/([^/]+)\/ipv([46])\/block\/([^/]+)$/
const BLOCK_RE = /^\/calico\/ipam\/v2\/assignment\/ipv([46])\/block\/([^/]+)$/

/**
 * The inverse of the builders. Undefined for keys falconer does not model (other kinds,
 * felix state, ...) and for malformed ones; the CIDR family must match the `ipvN` segment.
 */
export function parseKey(key: string): ParsedKey | undefined {
  let m = RESOURCE_RE.exec(key)
  if (m) {
    const kind = KIND_BY_PLURAL.get(m[1]!)
    if (kind === undefined) return undefined
    if (isNamespaced(kind)) return m[3] === undefined ? undefined : { type: 'resource', kind, namespace: m[2]!, name: m[3] }
    return m[3] === undefined ? { type: 'resource', kind, name: m[2]! } : undefined
  }
  m = AFFINITY_RE.exec(key)
  if (m) {
    const cidr = tryCidr(m[3]!)
    return cidr && String(cidr.family) === m[2] ? { type: 'affinity', node: m[1]!, cidr } : undefined
  }
  m = BLOCK_RE.exec(key)
  if (m) {
    const cidr = tryCidr(m[2]!)
    return cidr && String(cidr.family) === m[1] ? { type: 'block', cidr } : undefined
  }
  return undefined
}

/** Only the canonical spelling, so one block never has two keys. */
function tryCidr(text: string): Cidr | undefined {
  try {
    const cidr = cidrFromKeySegment(text)
    return cidrKeySegment(cidr) === text ? cidr : undefined
  } catch {
    return undefined
  }
}

/** The end of the etcd range holding every key that starts with `prefix`. */
export function prefixRangeEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix)
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1))
      end[i] = b[i]! + 1
      return end
    }
  }
  return Buffer.from([0])
}
