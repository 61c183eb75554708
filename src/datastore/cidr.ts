import { ValidationError } from '../api/errors.js'
import { bigIntToIP, ipToBigInt, parseCidr as parseCidrText } from '../api/validate/index.js'

/**
 * CIDR arithmetic for IPAM block keys: numeric CIDRs (parsed and printed by the shared
 * validator; its canonical form is what Go's net.IPNet.String() prints, which Calico
 * builds its etcd keys from), containment, and a walk over the free blocks of a pool.
 */

export type IpFamily = 4 | 6

export interface Cidr {
  readonly family: IpFamily
  /** The network address (host bits zero) as an unsigned integer. */
  readonly network: bigint
  readonly prefix: number
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 }

export function familyBits(family: IpFamily): number {
  return BITS[family]
}

/** A strictly masked CIDR (host bits set is an error), parsed by the shared validator. */
export function parseCidr(text: string, path = ''): Cidr {
  const parsed = parseCidrText(text, path, { strict: true })
  return { family: parsed.family, network: ipToBigInt(parsed.address), prefix: parsed.prefixLen }
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.family, c.network)}/${c.prefix}`
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(BITS[c.family] - c.prefix)
}

/** Last address of the CIDR, inclusive. */
export function cidrLast(c: Cidr): bigint {
  return c.network + cidrSize(c) - 1n
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    inner.prefix >= outer.prefix &&
    inner.network >= outer.network &&
    cidrLast(inner) <= cidrLast(outer)
  )
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.network <= cidrLast(b) && b.network <= cidrLast(a)
}

/**
 * The blocks of size `/blockSize` inside `pool`, in address order, skipping every block
 * that overlaps one of `taken` (which may have other sizes). Lazy, because an IPv6 pool
 * has more blocks than fit in memory; cost is O(taken + yielded).
 */
export function* freeBlocks(pool: Cidr, blockSize: number, taken: readonly Cidr[]): Generator<Cidr> {
  const bits = BITS[pool.family]
  if (!Number.isInteger(blockSize) || blockSize < pool.prefix || blockSize > bits) {
    throw new ValidationError('spec.blockSize', `block size /${blockSize} does not fit in pool ${formatCidr(pool)}`)
  }
  const step = 1n << BigInt(bits - blockSize)
  const end = cidrLast(pool)
  const obstacles = taken
    .filter((c) => cidrOverlaps(c, pool))
    .map((c) => ({ first: c.network, last: cidrLast(c) }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))
  let next = pool.network
  let i = 0
  while (next <= end) {
    const last = next + step - 1n
    while (i < obstacles.length && obstacles[i]!.last < next) i++
    const o = obstacles[i]
    if (o !== undefined && o.first <= last) {
      // Jump to the first aligned block after this obstacle.
      next = alignUp(o.last + 1n, step, pool.network)
      continue
    }
    yield { family: pool.family, network: next, prefix: blockSize }
    next += step
  }
}

function alignUp(value: bigint, step: bigint, base: bigint): bigint {
  const offset = value - base
  return base + ((offset + step - 1n) / step) * step
}

function netmask(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(BITS[family])
  const all = (1n << bits) - 1n
  return (all >> BigInt(prefix)) ^ all
}

/** Canonical text (RFC 5952 for IPv6, which is also what Go prints). */
export function formatAddress(family: IpFamily, value: bigint): string {
  return bigIntToIP(value, family)
}
