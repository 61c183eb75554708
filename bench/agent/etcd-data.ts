import { Etcd3 } from 'etcd3'
import type { StoredPair } from '../datastore/kvs.js'

/** etcd's default --max-txn-ops. */
const TXN_OPS = 128

/** Writes every pair, 128 to a transaction, a few transactions in flight. */
export async function writePairs(client: Etcd3, pairs: readonly StoredPair[]): Promise<void> {
  const batches: StoredPair[][] = []
  for (let i = 0; i < pairs.length; i += TXN_OPS) batches.push(pairs.slice(i, i + TXN_OPS))
  let next = 0
  const worker = async () => {
    for (let b = next++; b < batches.length; b = next++) {
      await client.kv.txn({
        success: batches[b]!.map((kv) => ({ request_put: { key: Buffer.from(kv.key), value: Buffer.from(kv.value) } })),
      })
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker))
}

export async function deletePrefix(client: Etcd3, prefix: string): Promise<void> {
  await client.delete().prefix(prefix)
}
