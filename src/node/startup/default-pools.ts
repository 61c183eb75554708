import { randomBytes } from 'node:crypto'
import { API_VERSION, type IPPool } from '../../api/types.js'
import { bigIntToIP, parseCidr, type IPFamily as IpFamily } from '../../api/validate/index.js'
import { AlreadyExistsError } from '../../datastore/errors.js'
import type { ResourceStore } from '../../datastore/store.js'
import type { DefaultPools } from './run-config.js'
import type { Say } from './say.js'

/**
 * calico/node's quick-start pools: when no pool of a family exists, create
 * `default-ipv4-ippool` (192.168.0.0/16, blocks /26, NAT outgoing) and
 * `default-ipv6-ippool` (a random ULA /48, blocks /122). Never touches existing pools.
 */

export const DEFAULT_IPV4_POOL_NAME = 'default-ipv4-ippool'
export const DEFAULT_IPV6_POOL_NAME = 'default-ipv6-ippool'
export const DEFAULT_IPV4_POOL_CIDR = '192.168.0.0/16'
export const DEFAULT_IPV4_BLOCK_SIZE = 26
export const DEFAULT_IPV6_BLOCK_SIZE = 122

export function poolFamily(pool: IPPool): IpFamily | undefined {
  try {
    return parseCidr(pool.spec.cidr, 'spec.cidr').family
  } catch {
    return undefined
  }
}

export function planDefaultPools(
  existing: readonly IPPool[],
  config: DefaultPools,
  ipv6Supported: boolean,
  randomUla: () => string,
): IPPool[] {
  if (!config.create) return []
  const present = new Set(existing.map(poolFamily))
  const plan: IPPool[] = []
  if (!present.has(4)) {
    plan.push(pool(DEFAULT_IPV4_POOL_NAME, config.ipv4Cidr ?? DEFAULT_IPV4_POOL_CIDR, DEFAULT_IPV4_BLOCK_SIZE, true))
  }
  if (!present.has(6) && ipv6Supported) {
    plan.push(pool(DEFAULT_IPV6_POOL_NAME, config.ipv6Cidr ?? randomUla(), DEFAULT_IPV6_BLOCK_SIZE, false))
  }
  return plan
}

function pool(name: string, cidr: string, blockSize: number, natOutgoing: boolean): IPPool {
  return {
    apiVersion: API_VERSION,
    kind: 'IPPool',
    metadata: { name },
    spec: {
      cidr,
      blockSize,
      ipipMode: 'Never',
      vxlanMode: 'Never',
      // Calico omits false booleans from the stored JSON.
      ...(natOutgoing && { natOutgoing: true }),
      nodeSelector: 'all()',
    },
  }
}

/** RFC 4193: fd00::/8 plus a random 40-bit global ID, as a /48 (Go's net.IPNet text). */
export function randomUlaPrefix(random: (n: number) => Buffer = randomBytes): string {
  const id = random(5)
  let value = 0xfdn
  for (const byte of id) value = (value << 8n) | BigInt(byte)
  return `${bigIntToIP(value << 80n, 6)}/48`
}

export async function ensureDefaultPools(
  store: ResourceStore,
  config: DefaultPools,
  ipv6Supported: boolean,
  say: Say,
  randomUla: () => string = randomUlaPrefix,
): Promise<IPPool[]> {
  if (!config.create) {
    say('Skipping IP pool configuration (no default pools requested)')
    return []
  }
  const created: IPPool[] = []
  for (const p of planDefaultPools(await store.list('IPPool'), config, ipv6Supported, randomUla)) {
    try {
      created.push(await store.create(p))
      const family = poolFamily(p)
      say(`Created default IPv${family} pool (${p.spec.cidr}) with NAT outgoing ${p.spec.natOutgoing === true ? 'enabled' : 'disabled'}`)
    } catch (err) {
      // Another node starting at the same moment created it first: that is the point.
      if (!(err instanceof AlreadyExistsError)) throw err
    }
  }
  return created
}
