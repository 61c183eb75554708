/**
 * Render: snapshot → intent → bird.cfg text, in-process on the built product (dist/), for
 * synthetic datastores of several sizes. "Full" renders a snapshot freshly decoded from
 * the stored values (nothing memoised on earlier objects: what the agent does after its
 * initial list); "after one change" renders the snapshot the syncer makes from the previous
 * one plus one new BGPPeer (the product's own applyChanges: other objects are reused).
 * Heap figures are heapUsed after a full GC, above the baseline taken before the snapshot.
 */
import type { Snapshot } from '../../src/api/snapshot.js'
import type { RenderedConfigs } from '../../src/bgp/render-configs.js'
import { listSnapshot, listedChanges, storedPairs } from '../datastore/kvs.js'
import { benchPeer, DEFAULT_SPEC, nodeName, rolesOf, syntheticDatastore, topologyOf, type Role } from '../datastore/synthetic.js'
import { log, runPhase } from '../lib/phase.js'
import { product, type Product } from '../lib/product.js'
import { median, MiB, now, round } from '../lib/stats.js'

export interface RenderOptions {
  readonly sizes: readonly number[]
  /** Full renders per role; the first is a warm-up and not counted. */
  readonly fullRuns: number
  /** Renders after one change per role; the first is a warm-up and not counted. */
  readonly changeRuns: number
}

export interface RenderRow {
  readonly nodes: number
  readonly topology: string
  readonly role: Role['role']
  readonly node: string
  readonly bgpSessions: number
  readonly configBytes: number
  readonly fullMs: number
  readonly fullMsRuns: readonly number[]
  readonly changeMs: number
  readonly changeMsRuns: readonly number[]
  readonly heapRenderMiB: number
}

export interface SizeRow {
  readonly nodes: number
  readonly peers: number
  readonly blocks: number
  readonly keys: number
  readonly decodeMs: number
  readonly heapSnapshotMiB: number
}

const REVISION = 1_000

function gcNow(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('the render phase needs node --expose-gc')
  return () => {
    gc()
    gc()
  }
}

const roleKey = (r: Role['role']): string => (r === 'route reflector' ? 'rr' : r === 'client' ? 'client' : 'mesh')
const sessions = (out: RenderedConfigs): number => out.v4.text.match(/^protocol bgp /gm)?.length ?? 0

runPhase<RenderOptions>('render', async (opts) => {
  const p = await product()
  const gc = gcNow()
  const templates = p.loadTemplates()
  const sizes: SizeRow[] = []
  const rows: RenderRow[] = []
  const figures: Record<string, number> = {}

  for (const n of opts.sizes) {
    const ds = syntheticDatastore({ nodes: n, ...DEFAULT_SPEC })
    const changes = listedChanges(storedPairs(p, ds), REVISION)
    gc()
    const baseHeap = process.memoryUsage().heapUsed

    let t = now()
    let snapshot: Snapshot | undefined = listSnapshot(p, changes, REVISION)
    const decodeMs = now() - t
    if (snapshot.invalid.size > 0) {
      throw new Error(`synthetic datastore has invalid values: ${JSON.stringify([...snapshot.invalid.values()].slice(0, 3))}`)
    }
    gc()
    const heapSnapshotMiB = (process.memoryUsage().heapUsed - baseHeap) / MiB
    snapshot = undefined
    sizes.push({ nodes: n, peers: ds.peers.length, blocks: ds.blocks.length, keys: changes.length, decodeMs, heapSnapshotMiB })
    figures[`render.n${n}.decode_ms`] = round(decodeMs)
    figures[`render.n${n}.heap_snapshot_mib`] = round(heapSnapshotMiB)

    for (const role of rolesOf(ds.spec)) {
      const name = nodeName(role.index)
      const render = (s: Snapshot) => p.renderConfigs({ snapshot: s, nodeName: name, templates })

      const full: number[] = []
      let last: { snapshot: Snapshot; out: RenderedConfigs } | undefined
      for (let run = 0; run < opts.fullRuns; run++) {
        last = undefined
        const fresh = listSnapshot(p, changes, REVISION)
        t = now()
        const out = render(fresh)
        full.push(now() - t)
        last = { snapshot: fresh, out }
      }
      if (last === undefined) throw new Error('fullRuns must be at least 1')
      if (last.out.problems.length > 0) throw new Error(`render reported problems: ${JSON.stringify(last.out.problems.slice(0, 3))}`)
      gc()
      const heapRenderMiB = (process.memoryUsage().heapUsed - baseHeap) / MiB
      const bgpSessions = sessions(last.out)
      const configBytes = Buffer.byteLength(last.out.v4.text)

      const change = changeTimes(p, render, last.snapshot, opts.changeRuns, bgpSessions)
      last = undefined

      const fullMs = median(full.slice(1).length > 0 ? full.slice(1) : full)
      const changeMs = median(change)
      rows.push({
        nodes: n,
        topology: topologyOf(n),
        role: role.role,
        node: name,
        bgpSessions,
        configBytes,
        fullMs,
        fullMsRuns: full.map((x) => round(x, 2)),
        changeMs,
        changeMsRuns: change.map((x) => round(x, 2)),
        heapRenderMiB,
      })
      const key = `render.n${n}.${roleKey(role.role)}`
      figures[`${key}.full_ms`] = round(fullMs, 2)
      figures[`${key}.change_ms`] = round(changeMs, 2)
      figures[`${key}.sessions`] = bgpSessions
      figures[`${key}.heap_mib`] = round(heapRenderMiB)
      log('render', `${n} nodes, ${role.role} ${name}: ${bgpSessions} sessions, full ${fullMs.toFixed(1)} ms, after one change ${changeMs.toFixed(1)} ms, heap ${heapRenderMiB.toFixed(1)} MiB`)
    }
  }
  return {
    figures,
    details: { sizes, rows },
    notes: [
      'in-process on dist/ (plain node --expose-gc, no test loader); full = fresh snapshot decoded from the stored values, so no memo from earlier objects applies',
      'after one change = applyChanges(previous snapshot, one new global BGPPeer), i.e. the snapshot the syncer hands the reconciler',
      'medians; the first run of each kind is a warm-up and is not counted',
    ],
  }
})

/** Renders after adding one new BGPPeer to `base` (a different one each run); first run is a warm-up. */
function changeTimes(p: Product, render: (s: Snapshot) => RenderedConfigs, base: Snapshot, runs: number, before: number): number[] {
  render(base) // the previous snapshot has been rendered, as in the agent
  const times: number[] = []
  for (let k = 0; k < runs; k++) {
    const { peer, protocol } = benchPeer(k)
    const next = p.applyChanges(
      base,
      [{ key: p.resourceKey('BGPPeer', peer.metadata.name), value: Buffer.from(p.encodeResource(peer)), modRevision: String(REVISION + 1 + k) }],
      REVISION + 1 + k,
    )
    const t = now()
    const out = render(next)
    times.push(now() - t)
    if (sessions(out) !== before + 1 || !out.v4.text.includes(`protocol bgp ${protocol} `)) {
      throw new Error(`the change did not render: expected ${before + 1} sessions with ${protocol}, got ${sessions(out)}`)
    }
  }
  return times.length > 1 ? times.slice(1) : times
}
