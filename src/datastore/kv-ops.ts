import type { ICompare, IKeyValue, IRangeRequest, IRequestOp, ITxnResponse } from 'etcd3'
import { prefixRangeEnd } from './keys.js'

/** Raw etcd request pieces for transactions, so every compare-and-swap reads plainly. */

export function rangeOf(key: string, opts: { prefix?: boolean; keysOnly?: boolean; revision?: number } = {}): IRangeRequest {
  return {
    key: Buffer.from(key),
    ...(opts.prefix && { range_end: prefixRangeEnd(key) }),
    ...(opts.keysOnly && { keys_only: true }),
    ...(opts.revision !== undefined && { revision: opts.revision }),
  }
}

export const putOp = (key: string, value: string): IRequestOp => ({
  request_put: { key: Buffer.from(key), value: Buffer.from(value) },
})

export const getOp = (key: string, opts: { prefix?: boolean } = {}): IRequestOp => ({ request_range: rangeOf(key, opts) })

export const deleteOp = (key: string): IRequestOp => ({ request_delete_range: { key: Buffer.from(key), prev_kv: true } })

/** The key does not exist (its create revision is 0). */
export const absent = (key: string): ICompare => ({
  key: Buffer.from(key),
  target: 'Create',
  result: 'Equal',
  create_revision: 0,
})

/** The key exists. */
export const present = (key: string): ICompare => ({
  key: Buffer.from(key),
  target: 'Create',
  result: 'Greater',
  create_revision: 0,
})

/** The key exists and was last written at `revision`. */
export const modifiedAt = (key: string, revision: string | number): ICompare => ({
  key: Buffer.from(key),
  target: 'Mod',
  result: 'Equal',
  mod_revision: revision,
})

/** No key under `prefix` was written after `revision` (deletions are not seen). */
export const prefixUnchangedSince = (prefix: string, revision: number): ICompare => ({
  key: Buffer.from(prefix),
  range_end: prefixRangeEnd(prefix),
  target: 'Mod',
  result: 'Less',
  mod_revision: revision + 1,
})

/** The KeyValues of the range response at `index` of a transaction's responses. */
export function rangeResult(res: ITxnResponse, index: number): IKeyValue[] {
  return res.responses[index]?.response_range?.kvs ?? []
}
