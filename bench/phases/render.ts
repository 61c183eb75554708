/**
 * Render: snapshot → intent → bird.cfg text, in-process on the built product (dist/), for
 * synthetic datastores of several sizes. "Full" renders a snapshot freshly decoded from
 * the stored values (nothing memoised on earlier objects: what the agent does after its
 * initial list); "after one change" renders the snapshot the syncer makes from the previous
 * one plus one new BGPPeer (the product's own applyChanges: other objects are reused).
 * Heap figures are heapUsed after a full GC, above the baseline taken before the snapshot.
 * Each backend renders the same snapshots for the same nodes, one after the other (BIRD 1.6:
 * bird.cfg + bird6.cfg from its templates; BIRD 2: the one bird.cfg of templates/bird2/;
 * GoBGP: the one gobgpd.toml that src/backends/gobgp/render.ts writes in code, no
 * templates), so their columns differ only by what the backend does after the shared intent.
 */
import type { Snapshot } from '../../src/api/snapshot.js'
import type { RenderedConfigs } from '../../src/bgp/render-configs.js'
import { listSnapshot, listedChanges, storedPairs } from '../datastore/kvs.js'
import { benchPeer, DEFAULT_SPEC, nodeName, rolesOf, syntheticDatastore, topologyOf, type Role } from '../datastore/synthetic.js'
import { BACKEND_LABEL, figurePrefix, type BenchBackend } from '../lib/backends.js'
import { log, runPhase } from '../lib/phase.js'
import { product, type Product } from '../lib/product.js'
import { median, MiB, now, round } from '../lib/stats.js'

export interface RenderOptions {
  readonly sizes: readonly number[]
  /** Full renders per role; the first is a warm-up and not counted. */
  readonly fullRuns: number
  /** Renders after one change per role; the first is a warm-up and not counted. */
  readonly changeRuns: number
  readonly backends: readonly BenchBackend[]
}

export interface RenderRow {
  readonly backend: BenchBackend
  readonly nodes: number
  readonly topology: string
  readonly role: Role['role']
  readonly node: string
  readonly bgpSessions: number
  readonly configBytes: number
  /** Wall-clock medians (what the agent waits) and CPU-time medians (what the render costs, less sensitive to a busy machine). */
  readonly fullMs: number
  readonly fullCpuMs: number
  readonly fullMsRuns: readonly number[]
  readonly changeMs: number
  readonly changeCpuMs: number
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

interface Timing {
  readonly wall: number
  readonly cpu: number
}

/** Wall and CPU (user + system of this process) milliseconds of one call. */
function timed<T>(fn: () => T): [T, Timing] {
  const c0 = process.cpuUsage()
  const t0 = now()
  const out = fn()
  const wall = now() - t0
  const c = process.cpuUsage(c0)
  return [out, { wall, cpu: (c.user + c.system) / 1000 }]
}

/** Without the warm-up run (the first), unless it is the only one. */
const counted = <T>(runs: readonly T[]): readonly T[] => (runs.length > 1 ? runs.slice(1) : runs)

const roleKey = (r: Role['role']): string => (r === 'route reflector' ? 'rr' : r === 'client' ? 'client' : 'mesh')
/** BIRD: `protocol bgp` blocks of bird.cfg (IPv4) or of BIRD 2's one file; GoBGP: `[[neighbors]]` of gobgpd.toml (both families). */
const sessions = (out: RenderedConfigs): number => out.v4.text.match(/^(?:protocol bgp |\[\[neighbors\]\])/gm)?.length ?? 0

/** snapshot → the backend's file(s) for `nodeName`, as the agent's render does it. */
type Renderer = (snapshot: Snapshot, nodeName: string) => RenderedConfigs

function renderer(p: Product, backend: BenchBackend): Renderer {
  switch (backend) {
    case 'bird1': {
      const templates = p.loadTemplates()
      return (snapshot, nodeName) => p.renderConfigs({ snapshot, nodeName, templates })
    }
    case 'bird2': {
      const templates = p.loadBird2Templates()
      return (snapshot, nodeName) => p.renderBird2({ snapshot, nodeName }, templates)
    }
    case 'gobgp':
      // No templates: the TOML is written by code (src/backends/gobgp/render.ts).
      return (snapshot, nodeName) => p.renderGobgp({ snapshot, nodeName })
  }
}

runPhase<RenderOptions>('render', async (opts) => {
  const p = await product()
  const gc = gcNow()
  const renderers = opts.backends.map((backend) => [backend, renderer(p, backend)] as const)
  const sizes: SizeRow[] = []
  const rows: RenderRow[] = []
  const figures: Record<string, number> = {}

  for (const n of opts.sizes) {
    const ds = syntheticDatastore({ nodes: n, ...DEFAULT_SPEC })
    const changes = listedChanges(storedPairs(p, ds), REVISION)
    gc()
    const baseHeap = process.memoryUsage().heapUsed

    const t = now()
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

    for (const role of rolesOf(ds.spec)) for (const [backend, renderFor] of renderers) {
      const name = nodeName(role.index)
      const render = (s: Snapshot) => renderFor(s, name)

      const full: Timing[] = []
      let last: { snapshot: Snapshot; out: RenderedConfigs } | undefined
      for (let run = 0; run < opts.fullRuns; run++) {
        last = undefined
        const fresh = listSnapshot(p, changes, REVISION)
        const [out, timing] = timed(() => render(fresh))
        full.push(timing)
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

      const fullMs = median(counted(full).map((x) => x.wall))
      const fullCpuMs = median(counted(full).map((x) => x.cpu))
      const changeMs = median(counted(change).map((x) => x.wall))
      const changeCpuMs = median(counted(change).map((x) => x.cpu))
      rows.push({
        backend,
        nodes: n,
        topology: topologyOf(n),
        role: role.role,
        node: name,
        bgpSessions,
        configBytes,
        fullMs,
        fullCpuMs,
        fullMsRuns: full.map((x) => round(x.wall, 2)),
        changeMs,
        changeCpuMs,
        changeMsRuns: change.map((x) => round(x.wall, 2)),
        heapRenderMiB,
      })
      const key = `${figurePrefix('render', backend)}.n${n}.${roleKey(role.role)}`
      figures[`${key}.full_ms`] = round(fullMs, 2)
      figures[`${key}.full_cpu_ms`] = round(fullCpuMs, 2)
      figures[`${key}.change_ms`] = round(changeMs, 2)
      figures[`${key}.change_cpu_ms`] = round(changeCpuMs, 2)
      figures[`${key}.sessions`] = bgpSessions
      figures[`${key}.heap_mib`] = round(heapRenderMiB)
      log('render', `${BACKEND_LABEL[backend]}, ${n} nodes, ${role.role} ${name}: ${bgpSessions} sessions, full ${fullMs.toFixed(1)} ms (cpu ${fullCpuMs.toFixed(1)}), after one change ${changeMs.toFixed(1)} ms (cpu ${changeCpuMs.toFixed(1)}), heap ${heapRenderMiB.toFixed(1)} MiB`)
    }
  }
  return {
    figures,
    details: { sizes, rows },
    notes: [
      'in-process on dist/ (plain node --expose-gc, no test loader); full = fresh snapshot decoded from the stored values, so no memo from earlier objects applies',
      'after one change = applyChanges(previous snapshot, one new global BGPPeer), i.e. the snapshot the syncer hands the reconciler',
      'medians; the first run of each kind is a warm-up and is not counted; cpu = user + system time of the process during the call (GC included)',
      `backends, one after the other on the same snapshots: ${opts.backends.map((b) => BACKEND_LABEL[b]).join(', ')}`,
    ],
  }
})

/** Renders after adding one new BGPPeer to `base` (a different one each run). */
function changeTimes(p: Product, render: (s: Snapshot) => RenderedConfigs, base: Snapshot, runs: number, before: number): Timing[] {
  render(base) // the previous snapshot has been rendered, as in the agent
  const times: Timing[] = []
  for (let k = 0; k < runs; k++) {
    const { peer, protocol } = benchPeer(k)
    const next = p.applyChanges(
      base,
      [{ key: p.resourceKey('BGPPeer', peer.metadata.name), value: Buffer.from(p.encodeResource(peer)), modRevision: String(REVISION + 1 + k) }],
      REVISION + 1 + k,
    )
    const [out, timing] = timed(() => render(next))
    times.push(timing)
    // BIRD: the new protocol block; GoBGP: a neighbor at the peer's address.
    const rendered = out.v4.text.includes(`protocol bgp ${protocol} `) || out.v4.text.includes(`neighbor-address = "${peer.spec.peerIP}"`)
    if (sessions(out) !== before + 1 || !rendered) {
      throw new Error(`the change did not render: expected ${before + 1} sessions with ${protocol}, got ${sessions(out)}`)
    }
  }
  return times
}
