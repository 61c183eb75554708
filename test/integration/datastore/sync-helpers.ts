import { Writable } from 'node:stream'
import type { Etcd3 } from 'etcd3'
import { pino, type Logger } from 'pino'
import type { Snapshot } from '../../../src/api/snapshot.js'
import { affinityKey, resourceKey } from '../../../src/datastore/keys.js'
import { parseCidr } from '../../../src/datastore/cidr.js'
import { rangeOf } from '../../../src/datastore/kv-ops.js'
import { SYNCED_PREFIXES } from '../../../src/datastore/snapshot-state.js'

/** Poll until `cond` holds; no fixed sleeps (the machine may be busy). */
export async function until(cond: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * What a snapshot says is in etcd: key → mod revision for resources (their
 * resourceVersion), key → "present" for affinities (which carry no revision), plus the
 * invalid keys.
 */
export function snapshotState(s: Snapshot): Map<string, string> {
  const out = new Map<string, string>()
  for (const map of [s.nodes, s.bgpPeers, s.bgpConfigurations, s.ipPools]) {
    for (const r of map.values()) out.set(resourceKey(r.kind, r.metadata.name), r.metadata.resourceVersion ?? '?')
  }
  for (const a of s.blockAffinities.values()) out.set(affinityKey(a.node, parseCidr(a.cidr)), 'present')
  for (const key of s.invalid.keys()) out.set(key, 'invalid')
  return out
}

/**
 * The same view read straight from etcd at `revision` (0 = now), so a snapshot can be
 * checked against the datastore at exactly the revision it claims to reflect.
 * `invalidKeys` lists keys the caller knows hold invalid values.
 */
export async function etcdState(client: Etcd3, revision = 0, invalidKeys: ReadonlySet<string> = new Set()): Promise<{ revision: number; state: Map<string, string> }> {
  const first = await client.kv.range(rangeOf(SYNCED_PREFIXES[0]!, { prefix: true, ...(revision > 0 && { revision }) }))
  const at = revision > 0 ? revision : Number(first.header.revision)
  const rest = await Promise.all(SYNCED_PREFIXES.slice(1).map((p) => client.kv.range(rangeOf(p, { prefix: true, revision: at }))))
  const state = new Map<string, string>()
  for (const res of [first, ...rest]) {
    for (const kv of res.kvs) {
      const key = kv.key.toString()
      state.set(key, invalidKeys.has(key) ? 'invalid' : key.startsWith('/calico/ipam/') ? 'present' : kv.mod_revision)
    }
  }
  return { revision: at, state }
}

export const sorted = (m: Map<string, string>): [string, string][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))

/** A debug-level logger whose records the test can poll. */
export function captureLog(): { log: Logger; records: { msg?: string; revision?: number }[] } {
  const records: { msg?: string; revision?: number }[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      records.push(JSON.parse(chunk.toString()) as { msg?: string; revision?: number })
      done()
    },
  })
  return { log: pino({ level: 'debug' }, sink), records }
}
