import { ValidationError } from '../errors.js'
import { asString } from './fields.js'

/**
 * IPv4/IPv6 addresses and CIDRs, parsed strictly and re-serialised canonically:
 * IPv4 as dotted quad without leading zeros, IPv6 in RFC 5952 form (lower case, leading
 * zeros dropped, the longest run of two or more zero groups — the first on a tie —
 * written as `::`). Values are held as bigint so that masks and containment are exact.
 */

export type IPFamily = 4 | 6

export interface ParsedIP {
  family: IPFamily
  /** Canonical text. */
  address: string
}

export interface ParsedCidr {
  family: IPFamily
  /** Canonical text of the address part (host bits masked only with `network: true`). */
  address: string
  prefixLen: number
  /** `${address}/${prefixLen}` */
  cidr: string
}

export interface ParsedPeerIP {
  family: IPFamily
  address: string
  port?: number
}

export interface CidrOptions {
  /** Clear host bits (`10.0.0.7/24` → `10.0.0.0/24`). */
  network?: boolean
  /** Reject host bits instead (Calico's "strictly masked" networks, e.g. IP pools). */
  strict?: boolean
  /** Accept a bare address as a host prefix (/32 or /128), as Calico's ParseCIDROrIP does. */
  allowAddress?: boolean
  /** Require this family. */
  family?: IPFamily
}

const bitsOf = (family: IPFamily): number => (family === 4 ? 32 : 128)
const familyName = (family: IPFamily): string => (family === 4 ? 'IPv4' : 'IPv6')

interface Address {
  family: IPFamily
  value: bigint
}

function parseV4(text: string, path: string): bigint {
  const parts = text.split('.')
  if (parts.length !== 4) throw new ValidationError(path, `${JSON.stringify(text)} is not a valid IPv4 address`)
  let value = 0n
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) {
      throw new ValidationError(path, `${JSON.stringify(text)} is not a valid IPv4 address`)
    }
    if (part.length > 1 && part.startsWith('0')) {
      // Leading zeros are read as octal by some parsers (inet_aton), as decimal by others.
      throw new ValidationError(path, `leading zeros are not allowed in IPv4 address ${JSON.stringify(text)}`)
    }
    const octet = Number(part)
    if (octet > 255) throw new ValidationError(path, `octet ${octet} of ${JSON.stringify(text)} is out of range`)
    value = (value << 8n) | BigInt(octet)
  }
  return value
}

function parseGroups(text: string, whole: string, path: string): number[] {
  if (text === '') return []
  return text.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) {
      throw new ValidationError(path, `${JSON.stringify(whole)} is not a valid IPv6 address`)
    }
    return parseInt(g, 16)
  })
}

function parseV6(text: string, path: string): bigint {
  if (text.includes('%')) {
    throw new ValidationError(path, `zone indexes are not allowed in IPv6 addresses (${JSON.stringify(text)})`)
  }
  if (!/^[0-9a-fA-F:.]+$/.test(text)) {
    throw new ValidationError(path, `${JSON.stringify(text)} is not a valid IPv6 address`)
  }
  let hex = text
  if (text.includes('.')) {
    // Embedded IPv4 in the last 32 bits (`::ffff:192.0.2.1`).
    const cut = text.lastIndexOf(':')
    const v4 = parseV4(text.slice(cut + 1), path)
    hex = `${text.slice(0, cut + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = hex.split('::')
  let groups: number[]
  if (halves.length > 2) {
    throw new ValidationError(path, `${JSON.stringify(text)} is not a valid IPv6 address (more than one "::")`)
  } else if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '', text, path)
    const tail = parseGroups(halves[1] ?? '', text, path)
    if (head.length + tail.length > 7) {
      throw new ValidationError(path, `${JSON.stringify(text)} is not a valid IPv6 address ("::" must stand for at least one group)`)
    }
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  } else {
    groups = parseGroups(hex, text, path)
    if (groups.length !== 8) throw new ValidationError(path, `${JSON.stringify(text)} is not a valid IPv6 address`)
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)
}

function parseAddress(text: string, path: string): Address {
  if (text === '') throw new ValidationError(path, 'empty address')
  return text.includes(':') ? { family: 6, value: parseV6(text, path) } : { family: 4, value: parseV4(text, path) }
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.')
}

function formatV6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn))
  // Longest run of zero groups, at least two long; the first one wins a tie (RFC 5952 §4.2).
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':')
  if (bestStart < 0) return hex(groups)
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`
}

function format(a: Address): string {
  return a.family === 4 ? formatV4(a.value) : formatV6(a.value)
}

function checkFamily(family: IPFamily, wanted: IPFamily | undefined, what: string, path: string): void {
  if (wanted !== undefined && family !== wanted) {
    throw new ValidationError(path, `expected an ${familyName(wanted)} ${what}, got an ${familyName(family)} ${what}`)
  }
}

function hostMask(family: IPFamily, prefixLen: number): bigint {
  return (1n << BigInt(bitsOf(family) - prefixLen)) - 1n
}


/** Ranges an address BGP must never be configured with (BIRD rejects or misuses them). */
const V4 = (a: number, b: number, c: number, d: number) => (BigInt(a) << 24n) | (BigInt(b) << 16n) | (BigInt(c) << 8n) | BigInt(d)
const UNUSABLE: readonly { family: IPFamily; base: bigint; len: number; what: string; loopback?: true }[] = [
  { family: 4, base: 0n, len: 32, what: 'the unspecified address' },
  { family: 4, base: V4(127, 0, 0, 0), len: 8, what: 'a loopback address', loopback: true },
  { family: 4, base: V4(169, 254, 0, 0), len: 16, what: 'a link-local address' },
  { family: 4, base: V4(224, 0, 0, 0), len: 4, what: 'a multicast address' },
  { family: 4, base: V4(255, 255, 255, 255), len: 32, what: 'the broadcast address' },
  { family: 6, base: 0n, len: 128, what: 'the unspecified address' },
  { family: 6, base: 1n, len: 128, what: 'a loopback address', loopback: true },
  { family: 6, base: 0xfe80n << 112n, len: 10, what: 'a link-local address (BIRD needs an interface for those)' },
  { family: 6, base: 0xffn << 120n, len: 8, what: 'a multicast address' },
]

/**
 * An address BIRD can use as a BGP neighbor or a node's routing address: not unspecified,
 * link-local, multicast or broadcast (and not loopback unless allowed). Found by fuzzing
 * values that validated but made `bird -p` reject the whole config.
 */
export function checkUsableUnicast(address: string, path: string, opts: { allowLoopback?: boolean } = {}): void {
  const a = parseAddress(address, path)
  const bits = BigInt(bitsOf(a.family))
  for (const r of UNUSABLE) {
    if (r.family !== a.family || (r.loopback && opts.allowLoopback)) continue
    const shift = bits - BigInt(r.len)
    if (a.value >> shift === r.base >> shift) throw new ValidationError(path, `${address} is ${r.what}, not usable for BGP`)
  }
}

export function parseIP(text: unknown, path = '', opts: { family?: IPFamily } = {}): ParsedIP {
  const a = parseAddress(asString(text, path), path)
  checkFamily(a.family, opts.family, 'address', path)
  return { family: a.family, address: format(a) }
}

interface Prefix extends Address {
  prefixLen: number
}

function parsePrefix(text: string, path: string, opts: CidrOptions): Prefix {
  const slash = text.indexOf('/')
  if (slash < 0) {
    if (!opts.allowAddress) throw new ValidationError(path, `${JSON.stringify(text)} is not a CIDR (expected address/prefix-length)`)
    const a = parseAddress(text, path)
    return { ...a, prefixLen: bitsOf(a.family) }
  }
  const a = parseAddress(text.slice(0, slash), path)
  const lenText = text.slice(slash + 1)
  const bits = bitsOf(a.family)
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText) || Number(lenText) > bits) {
    throw new ValidationError(path, `prefix length must be between 0 and ${bits}, got ${JSON.stringify(lenText)}`)
  }
  return { ...a, prefixLen: Number(lenText) }
}

export function parseCidr(text: unknown, path = '', opts: CidrOptions = {}): ParsedCidr {
  const p = parsePrefix(asString(text, path), path, opts)
  checkFamily(p.family, opts.family, 'CIDR', path)
  const host = p.value & hostMask(p.family, p.prefixLen)
  const masked = { family: p.family, value: p.value ^ host }
  if (opts.strict && host !== 0n) {
    throw new ValidationError(path, `host bits are set (did you mean ${format(masked)}/${p.prefixLen}?)`)
  }
  const address = format(opts.network ? masked : p)
  return { family: p.family, address, prefixLen: p.prefixLen, cidr: `${address}/${p.prefixLen}` }
}

function parsePort(text: string, path: string): number {
  if (!/^[1-9][0-9]{0,4}$/.test(text) || Number(text) > 65535) {
    throw new ValidationError(path, `port must be between 1 and 65535, got ${JSON.stringify(text)}`)
  }
  return Number(text)
}

/** `10.0.0.1`, `10.0.0.1:1790`, `fd00::1`, `[fd00::1]:1790`; a usable unicast address. */
export function parsePeerIP(text: unknown, path = ''): ParsedPeerIP {
  const peer = parsePeerText(text, path)
  checkUsableUnicast(peer.address, path, { allowLoopback: true })
  return peer
}

function parsePeerText(text: unknown, path: string): ParsedPeerIP {
  const s = asString(text, path)
  if (s.startsWith('[')) {
    const m = /^\[([^\]]*)\]:(.*)$/.exec(s)
    if (!m) throw new ValidationError(path, `${JSON.stringify(s)}: brackets are only used as "[IPv6]:port"`)
    const ip = parseIP(m[1] ?? '', path, { family: 6 })
    return { ...ip, port: parsePort(m[2] ?? '', path) }
  }
  const colons = s.split(':').length - 1
  if (colons === 1) {
    const [host = '', port = ''] = s.split(':')
    const ip = parseIP(host, path)
    return { ...ip, port: parsePort(port, path) }
  }
  return parseIP(s, path)
}

/** Canonical peer text, the inverse of parsePeerIP. */
export function formatPeerIP(p: ParsedPeerIP): string {
  if (p.port === undefined) return p.address
  return p.family === 6 ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`
}

export function ipToBigInt(ip: string): bigint {
  return parseAddress(ip, '').value
}

export function bigIntToIP(value: bigint, family: IPFamily): string {
  if (value < 0n || value >= 1n << BigInt(bitsOf(family))) {
    throw new RangeError(`${value} does not fit in an ${familyName(family)} address`)
  }
  return format({ family, value })
}

function range(text: string): { family: IPFamily; first: bigint; last: bigint } {
  const p = parsePrefix(text, '', { allowAddress: true })
  const host = hostMask(p.family, p.prefixLen)
  const first = p.value & ~host
  return { family: p.family, first, last: first | host }
}

/** Whether `cidr` contains `ipOrCidr` (an address, or a whole CIDR). Different families never match. */
export function cidrContains(cidr: string, ipOrCidr: string): boolean {
  const outer = range(cidr)
  const inner = range(ipOrCidr)
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last
}

export function cidrOverlaps(a: string, b: string): boolean {
  const x = range(a)
  const y = range(b)
  return x.family === y.family && x.first <= y.last && y.first <= x.last
}
