import { isIPv4, isIPv6 } from 'node:net'
import type { AddressFamily } from '../interfaces.js'

/**
 * Just enough IP arithmetic for autodetection: family, address class and CIDR membership,
 * on numbers rather than strings so that `fd99::1` and `fd99:0::1` are the same address.
 */

export interface IpValue {
  readonly family: AddressFamily
  readonly value: bigint
}

export interface Cidr {
  /** As the operator wrote it, for messages. */
  readonly text: string
  readonly family: AddressFamily
  /** The network with host bits cleared (Go's net.ParseCIDR masks them too). */
  readonly network: bigint
  readonly prefixlen: number
}

const BITS: Record<AddressFamily, number> = { 4: 32, 6: 128 }

export function ipFamily(text: string): AddressFamily | undefined {
  if (isIPv4(text)) return 4
  if (isIPv6(text) && !text.includes('%')) return 6
  return undefined
}

/** undefined when `text` is not a literal IPv4/IPv6 address (zone ids are refused). */
export function parseIp(text: string): IpValue | undefined {
  const family = ipFamily(text)
  if (family === 4) return { family, value: v4ToBigint(text) }
  if (family === 6) return { family, value: v6ToBigint(text) }
  return undefined
}

export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a)
  const y = parseIp(b)
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value
}

/** `a.b.c.d/n` or `x::/n`; undefined when malformed or the prefix is out of range. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/')
  if (slash < 0) return undefined
  const ip = parseIp(text.slice(0, slash))
  const lenText = text.slice(slash + 1)
  if (ip === undefined || !/^\d{1,3}$/.test(lenText)) return undefined
  const prefixlen = Number(lenText)
  if (prefixlen > BITS[ip.family]) return undefined
  return { text, family: ip.family, network: ip.value & mask(ip.family, prefixlen), prefixlen }
}

export function cidrContains(cidr: Cidr, ip: IpValue): boolean {
  return cidr.family === ip.family && (ip.value & mask(ip.family, cidr.prefixlen)) === cidr.network
}

/**
 * Why an address cannot serve as a node's routing address, by its class alone (Go's
 * net.IP.IsGlobalUnicast, which counts private ranges such as 10/8 and fc00::/7 as global);
 * undefined when it can.
 */
export function nonGlobalUnicastClass(ip: IpValue): string | undefined {
  for (const [cidr, what] of CLASSES[ip.family]) {
    if (cidrContains(cidr, ip)) return what
  }
  return undefined
}

const CLASSES: Record<AddressFamily, readonly (readonly [Cidr, string])[]> = {
  4: [
    [cidrOf('0.0.0.0/32'), 'unspecified address'],
    [cidrOf('255.255.255.255/32'), 'broadcast address'],
    [cidrOf('127.0.0.0/8'), 'loopback address'],
    [cidrOf('169.254.0.0/16'), 'link-local address'],
    [cidrOf('224.0.0.0/4'), 'multicast address'],
  ],
  6: [
    [cidrOf('::/128'), 'unspecified address'],
    [cidrOf('::1/128'), 'loopback address'],
    [cidrOf('fe80::/10'), 'link-local address'],
    [cidrOf('ff00::/8'), 'multicast address'],
  ],
}

function cidrOf(text: string): Cidr {
  const c = parseCidr(text)
  if (c === undefined) throw new Error(`internal: bad CIDR constant ${text}`)
  return c
}

function mask(family: AddressFamily, prefixlen: number): bigint {
  const bits = BigInt(BITS[family])
  const all = (1n << bits) - 1n
  return (all >> BigInt(prefixlen)) ^ all
}

function v4ToBigint(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n)
}

/** Input already validated by isIPv6: handles `::` and an embedded dotted IPv4 tail. */
function v6ToBigint(text: string): bigint {
  let t = text
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t)
  if (dotted?.[1] !== undefined) {
    const v4 = v4ToBigint(dotted[1])
    t = t.slice(0, -dotted[1].length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const [head = '', tail] = t.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0')
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n)
}
