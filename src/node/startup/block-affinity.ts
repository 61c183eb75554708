import { parseSelector } from '../../api/selector/index.js'
import type { IPPool, Node } from '../../api/types.js'
import { cidrContains, type IPFamily as IpFamily } from '../../api/validate/index.js'
import { PoolExhaustedError } from '../../datastore/errors.js'
import type { IpamStore } from '../../datastore/store.js'
import { DEFAULT_IPV4_BLOCK_SIZE, DEFAULT_IPV6_BLOCK_SIZE, poolFamily } from './default-pools.js'
import type { Say } from './say.js'

/**
 * Each node owns address blocks of the pools (an IPAM block affinity) and advertises them
 * over BGP. Startup makes sure the node owns one block per address family it routes: the
 * block it already owns when it restarts, else a new one claimed with compare-and-swap in
 * the store, so two nodes never own one block.
 */

/** Pools of the family that may give this node a block, in name order (deterministic). */
export function candidatePools(pools: readonly IPPool[], family: IpFamily, node: Node): IPPool[] {
  return pools
    .filter((p) => p.spec.disabled !== true && poolFamily(p) === family)
    .filter((p) => selectsNode(p, node))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
}

/** An absent or empty nodeSelector selects every node; one that does not parse selects none. */
function selectsNode(pool: IPPool, node: Node): boolean {
  const selector = pool.spec.nodeSelector ?? ''
  try {
    return parseSelector(selector).matches(node.metadata.labels ?? {})
  } catch {
    return false
  }
}

export interface BlockClaims {
  readonly ipv4?: string
  readonly ipv6?: string
}

export async function ensureBlocks(
  ipam: IpamStore,
  node: Node,
  families: readonly IpFamily[],
  pools: readonly IPPool[],
  say: Say,
): Promise<BlockClaims> {
  const name = node.metadata.name
  const owned = (await ipam.listAffinities(name)).filter((a) => a.state === 'confirmed')
  const out: { ipv4?: string; ipv6?: string } = {}
  for (const family of families) {
    const candidates = candidatePools(pools, family, node)
    if (candidates.length === 0) {
      say(`WARNING: No enabled IPv${family} pool selects this node: no IPv${family} block claimed`)
      continue
    }
    const kept = owned.find((a) => candidates.some((p) => within(p, a.cidr)))
    if (kept !== undefined) {
      say(`Using IPv${family} block ${kept.cidr} (already affine to this node)`)
      out[family === 4 ? 'ipv4' : 'ipv6'] = kept.cidr
      continue
    }
    const claimed = await claimFromFirstWithRoom(ipam, name, family, candidates)
    if (claimed === undefined) {
      say(`WARNING: Every enabled IPv${family} pool is full: no IPv${family} block claimed`)
      continue
    }
    say(`Claimed IPv${family} block ${claimed.cidr} from pool ${claimed.pool}`)
    out[family === 4 ? 'ipv4' : 'ipv6'] = claimed.cidr
  }
  return out
}

async function claimFromFirstWithRoom(
  ipam: IpamStore,
  node: string,
  family: IpFamily,
  pools: readonly IPPool[],
): Promise<{ cidr: string; pool: string } | undefined> {
  for (const pool of pools) {
    const size = pool.spec.blockSize ?? (family === 4 ? DEFAULT_IPV4_BLOCK_SIZE : DEFAULT_IPV6_BLOCK_SIZE)
    try {
      const a = await ipam.claimAffinity(node, pool.spec.cidr, size)
      return { cidr: a.cidr, pool: pool.metadata.name }
    } catch (err) {
      if (err instanceof PoolExhaustedError) continue
      throw err
    }
  }
  return undefined
}

function within(pool: IPPool, cidr: string): boolean {
  try {
    return cidrContains(pool.spec.cidr, cidr)
  } catch {
    return false
  }
}
