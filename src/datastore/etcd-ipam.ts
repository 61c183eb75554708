import { ValidationError } from '../api/errors.js'
import type { IKeyValue } from 'etcd3'
import type { BlockAffinity } from '../api/types.js'
import type { Logger } from '../log.js'
import { cidrContains, formatCidr, freeBlocks, parseCidr, type Cidr, type IpFamily } from './cidr.js'
import { blockAllocatedCount, blockHost, decodeAffinity, encodeAffinity, encodeNewBlock } from './codec.js'
import type { BoundedKv } from './etcd-client.js'
import { BlockInUseError, ConflictError, InvalidValueError, PoolExhaustedError } from './errors.js'
import { affinityKey, affinityPrefix, blockKey, blockPrefix, parseKey } from './keys.js'
import { absent, deleteOp, getOp, modifiedAt, prefixUnchangedSince, putOp, rangeOf, rangeResult } from './kv-ops.js'

/**
 * Block affinities in Calico's etcd layout. A claim writes the affinity and the block in
 * one transaction that requires both keys to be absent, so two nodes can never own the
 * same block, and that requires the claiming node's own affinities to be unchanged since
 * they were read, so two concurrent claims for one node cannot both succeed (invariant 8 in docs/design.md).
 */

/** Calico's accepted block sizes: enough addresses to be useful, few enough to store. */
const BLOCK_SIZE_RANGE: Record<IpFamily, readonly [number, number]> = { 4: [20, 32], 6: [116, 128] }

/** Rounds of "read, then try the free blocks"; each extra round means this node's own affinities moved. */
const MAX_ROUNDS = 20

export async function claimAffinity(kv: BoundedKv, node: string, poolCidr: string, blockSize: number): Promise<BlockAffinity> {
  const pool = parseCidr(poolCidr, 'spec.cidr')
  const [min, max] = BLOCK_SIZE_RANGE[pool.family]
  if (!Number.isInteger(blockSize) || blockSize < min || blockSize > max || blockSize < pool.prefix) {
    throw new ValidationError(
      'spec.blockSize',
      `${blockSize} is not a valid IPv${pool.family} block size for pool ${formatCidr(pool)} (${Math.max(min, pool.prefix)}-${max})`,
    )
  }
  const mine = affinityPrefix(node, pool.family)

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const own = await kv.range(rangeOf(mine, { prefix: true }))
    const revision = Number(own.header.revision)
    const existing = ownAffinityIn(pool, own.kvs)
    if (existing) return { node, cidr: formatCidr(existing), state: 'confirmed' }

    const blocks = await kv.range(rangeOf(blockPrefix(pool.family), { prefix: true, keysOnly: true, revision }))
    const taken = blocks.kvs.flatMap((k) => {
      const parsed = parseKey(k.key.toString())
      return parsed?.type === 'block' ? [parsed.cidr] : []
    })

    let ownChanged = false
    for (const candidate of freeBlocks(pool, blockSize, taken)) {
      const res = await kv.txn({
        compare: [absent(affinityKey(node, candidate)), absent(blockKey(candidate)), prefixUnchangedSince(mine, revision)],
        success: [putOp(affinityKey(node, candidate), encodeAffinity('confirmed')), putOp(blockKey(candidate), encodeNewBlock(candidate, node))],
        failure: [getOp(mine, { prefix: true })],
      })
      if (res.succeeded) return { node, cidr: formatCidr(candidate), state: 'confirmed' }
      // Either someone took this block (try the next) or this node's affinities moved
      // (a concurrent claim for the same node may have won: re-read).
      ownChanged = rangeResult(res, 0).some((k) => Number(k.mod_revision) > revision)
      if (ownChanged) break
    }
    if (!ownChanged) throw new PoolExhaustedError(formatCidr(pool), blockSize)
  }
  throw new ConflictError('BlockAffinity', `${node}/${poolCidr}`, 'latest')
}

/** The node's first confirmed affinity inside the pool, in key order. */
function ownAffinityIn(pool: Cidr, kvs: readonly IKeyValue[]): Cidr | undefined {
  for (const item of kvs) {
    const parsed = parseKey(item.key.toString())
    if (parsed?.type !== 'affinity' || !cidrContains(pool, parsed.cidr)) continue
    try {
      if (decodeAffinity(parsed.node, parsed.cidr, item)?.state === 'confirmed') return parsed.cidr
    } catch (e) {
      if (!(e instanceof InvalidValueError)) throw e
    }
  }
  return undefined
}

export async function listAffinities(kv: BoundedKv, log: Logger, node?: string): Promise<BlockAffinity[]> {
  const res = await kv.range(rangeOf(affinityPrefix(node), { prefix: true }))
  const out: BlockAffinity[] = []
  for (const item of res.kvs) {
    const key = item.key.toString()
    const parsed = parseKey(key)
    if (parsed?.type !== 'affinity') {
      log.warn({ key }, 'ignoring a key under the IPAM host prefix that is not a block affinity')
      continue
    }
    try {
      const affinity = decodeAffinity(parsed.node, parsed.cidr, item)
      if (affinity) out.push(affinity)
    } catch (e) {
      if (!(e instanceof InvalidValueError)) throw e
      log.warn({ key, field: e.field, reason: e.reason }, 'ignoring an invalid block affinity')
    }
  }
  return out
}

/**
 * Deletes the node's affinity and, when it is this node's and empty, the block, in one
 * transaction guarded by both keys' revisions. Releasing what is already gone is a no-op.
 */
export async function releaseAffinity(kv: BoundedKv, node: string, cidrText: string): Promise<void> {
  const cidr = parseCidr(cidrText, 'cidr')
  const aKey = affinityKey(node, cidr)
  const bKey = blockKey(cidr)
  for (let attempt = 0; attempt < MAX_ROUNDS; attempt++) {
    const read = await kv.txn({ compare: [], success: [getOp(aKey), getOp(bKey)] })
    const affinity = rangeResult(read, 0)[0]
    const block = rangeResult(read, 1)[0]
    const ownBlock = block !== undefined && blockHost(block.value) === node ? block : undefined
    if (ownBlock) {
      const allocated = blockAllocatedCount(ownBlock.value)
      if (allocated > 0) throw new BlockInUseError(formatCidr(cidr), allocated)
    }
    const targets = [affinity && { key: aKey, kv: affinity }, ownBlock && { key: bKey, kv: ownBlock }].filter(
      (x) => x !== undefined,
    )
    if (targets.length === 0) return
    const res = await kv.txn({
      compare: targets.map((x) => modifiedAt(x.key, x.kv.mod_revision)),
      success: targets.map((x) => deleteOp(x.key)),
    })
    if (res.succeeded) return
  }
  throw new ConflictError('BlockAffinity', `${node}/${cidrText}`, 'latest')
}
