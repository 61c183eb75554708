import { AutodetectMethodError } from './errors.js'
import { ipFamily, parseCidr, type Cidr } from './ip.js'
import type { AddressFamily } from '../interfaces.js'

/**
 * The autodetection methods of Calico's IP_AUTODETECTION_METHOD / IP6_AUTODETECTION_METHOD,
 * parsed once into a discriminated union so selection never sees malformed text.
 */

/** A regex as the operator wrote it, compiled. Unanchored, as in Calico (`eth` matches `veth0`). */
export interface InterfacePattern {
  readonly source: string
  readonly regex: RegExp
}

export type CanReachDestination =
  | { readonly kind: 'ip'; readonly address: string; readonly family: AddressFamily }
  | { readonly kind: 'name'; readonly name: string }

export type AutodetectMethod =
  | { readonly kind: 'first-found' }
  | { readonly kind: 'can-reach'; readonly destination: CanReachDestination }
  | { readonly kind: 'interface'; readonly patterns: readonly InterfacePattern[] }
  | { readonly kind: 'skip-interface'; readonly patterns: readonly InterfacePattern[] }
  | { readonly kind: 'cidr'; readonly cidrs: readonly Cidr[] }

export type AutodetectMethodKind = AutodetectMethod['kind']

export const DEFAULT_AUTODETECT_METHOD: AutodetectMethod = { kind: 'first-found' }

const USAGE = 'expected first-found, can-reach=IP|NAME, interface=REGEX[,REGEX…], skip-interface=REGEX[,REGEX…] or cidr=CIDR[,CIDR…]'

// RFC 1123 host names: letters, digits and hyphens in dot-separated labels.
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

export function parseAutodetectMethod(text: string): AutodetectMethod {
  const method = text.trim()
  if (method === 'first-found') return { kind: 'first-found' }
  const eq = method.indexOf('=')
  const key = eq < 0 ? method : method.slice(0, eq)
  const value = eq < 0 ? undefined : method.slice(eq + 1).trim()
  switch (key) {
    case 'can-reach':
      return { kind: 'can-reach', destination: parseDestination(method, requireValue(method, key, value)) }
    case 'interface':
    case 'skip-interface':
      return { kind: key, patterns: splitList(method, requireValue(method, key, value)).map((s) => compilePattern(method, s)) }
    case 'cidr':
      return { kind: 'cidr', cidrs: splitList(method, requireValue(method, key, value)).map((s) => parseCidrItem(method, s)) }
    case 'first-found':
      throw new AutodetectMethodError(method, 'first-found takes no value')
    default:
      throw new AutodetectMethodError(method, method === '' ? `empty; ${USAGE}` : `unknown method "${key}"; ${USAGE}`)
  }
}

/** The canonical text of a method, as an operator would write it. */
export function formatAutodetectMethod(m: AutodetectMethod): string {
  switch (m.kind) {
    case 'first-found':
      return 'first-found'
    case 'can-reach':
      return `can-reach=${m.destination.kind === 'ip' ? m.destination.address : m.destination.name}`
    case 'interface':
    case 'skip-interface':
      return `${m.kind}=${m.patterns.map((p) => p.source).join(',')}`
    case 'cidr':
      return `cidr=${m.cidrs.map((c) => c.text).join(',')}`
  }
}

function requireValue(method: string, key: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new AutodetectMethodError(method, `${key}= needs a value`)
  return value
}

function splitList(method: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim())
  const empty = items.findIndex((s) => s === '')
  // An empty regex would match every interface: almost certainly a stray comma.
  if (empty >= 0) throw new AutodetectMethodError(method, `item ${empty + 1} of the list is empty`)
  return items
}

function compilePattern(method: string, source: string): InterfacePattern {
  try {
    return { source, regex: new RegExp(source) }
  } catch (err) {
    throw new AutodetectMethodError(method, `regex "${source}" is invalid: ${(err as Error).message}`, source)
  }
}

function parseCidrItem(method: string, text: string): Cidr {
  const cidr = parseCidr(text)
  if (cidr === undefined) {
    throw new AutodetectMethodError(method, `"${text}" is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)`, text)
  }
  return cidr
}

function parseDestination(method: string, value: string): CanReachDestination {
  const family = ipFamily(value)
  if (family !== undefined) return { kind: 'ip', address: value, family }
  if (HOST_NAME.test(value) && !/^[\d.]+$/.test(value)) return { kind: 'name', name: value }
  throw new AutodetectMethodError(method, `"${value}" is neither an IP address nor a host name`, value)
}
