/**
 * Field parsers for the intent builder: each re-parses one datastore value into the exact
 * text or number that will reach bird.cfg, throwing ValidationError otherwise (invariant 5 in docs/design.md).
 * Resources in a snapshot were validated already; this is the second line of defence.
 */
import { ValidationError } from '../../api/errors.js'
import { parseSelector, type Selector } from '../../api/selector/index.js'
import type { SecretKeyRef } from '../../api/types.js'
import {
  checkUsableUnicast,
  isBirdSafeSecret,
  isValidName,
  parseAsNumber,
  parseCidr,
  parseCommunityValue,
  parseGoDuration,
  isInterfacePattern,
  parseIP,
  parsePeerIP,
  type CommunityValue,
  type IPFamily,
  type ParsedCidr,
  type ParsedPeerIP,
} from '../../api/validate/index.js'

export type { CommunityValue, IPFamily, ParsedCidr, ParsedPeerIP, Selector }
export { isBirdSafeSecret, parseAsNumber, parseCommunityValue, parseIP, parsePeerIP }

export type Obj = Readonly<Record<string, unknown>>

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function asObj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new ValidationError(path, 'expected an object')
  return v
}

/** `undefined` and `null` both mean "not set", as in the JSON Calico writes. */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new ValidationError(path, 'expected true or false')
  return v
}

export function integer(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ValidationError(path, `expected an integer between ${min} and ${max}`)
  }
  return v
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ValidationError(path, 'expected a string')
  return v
}

export function array(v: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new ValidationError(path, 'expected a list')
  return v
}

/** Node spec.bgp.ipv4Address / ipv6Address: CIDR form (a bare address is tolerated). */
export function nodeAddress(v: unknown, path: string, family: IPFamily): string {
  const { address } = parseCidr(v, path, { family, allowAddress: true })
  checkUsableUnicast(address, path)
  return address
}

/** A network as BIRD prints it: host bits cleared. */
export function network(v: unknown, path: string): ParsedCidr {
  return parseCidr(v, path, { network: true })
}

/** Route reflector cluster IDs are written as IPv4 addresses (BIRD: `rr cluster id A.B.C.D`). */
export function clusterId(v: unknown, path: string): string {
  return parseIP(v, path, { family: 4 }).address
}

export function routerIdText(v: unknown, path: string): string {
  const id = parseIP(v, path, { family: 4 }).address
  if (id === '0.0.0.0') throw new ValidationError(path, '0.0.0.0 is not a usable router id')
  return id
}

/**
 * Go duration → whole seconds for `graceful restart time`. BGP carries the restart time
 * in 12 bits (RFC 4724), so 1..4095. Rounded as Calico does (`%.0f`).
 */
export function restartSeconds(v: unknown, path: string): number {
  const seconds = Math.round(parseGoDuration(v, path))
  if (!(seconds >= 1 && seconds <= 4095)) {
    throw new ValidationError(path, `graceful restart time must be between 1s and 4095s, got ${seconds}s`)
  }
  return seconds
}

/** An ignoredInterfaces entry, printed as `-"pattern"`. */
export function interfacePattern(v: unknown, path: string): string {
  const s = str(v, path)
  if (!isInterfacePattern(s)) throw new ValidationError(path, 'not an interface pattern (letters, digits, _ . : @ - and *, at most 15 characters)')
  return s
}

export function port(v: unknown, path: string): number {
  return integer(v, path, 1, 65535)
}

export function selector(v: unknown, path: string): Selector {
  return parseSelector(str(v, path))
}

const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/

/** A secretKeyRef that is safe to turn into the path `<secretsDir>/<name>/<key>`. */
export function secretRef(v: unknown, path: string): SecretKeyRef {
  const ref = asObj(asObj(v, path).secretKeyRef, `${path}.secretKeyRef`)
  const name = str(ref.name, `${path}.secretKeyRef.name`)
  const key = str(ref.key, `${path}.secretKeyRef.key`)
  if (!isValidName(name)) throw new ValidationError(`${path}.secretKeyRef.name`, 'not a valid secret name')
  if (!SECRET_KEY.test(key) || key === '.' || key === '..') {
    throw new ValidationError(`${path}.secretKeyRef.key`, 'not a valid secret key')
  }
  return { name, key }
}

export const secretId = (ref: SecretKeyRef): string => `${ref.name}/${ref.key}`

/** Resource names go into comments only when they are plain DNS names. */
export function commentName(name: unknown): string {
  return typeof name === 'string' && isValidName(name) ? name : '(unprintable name)'
}
