/**
 * The real agent, end to end. Runs INSIDE the benchmark's network namespace (the runner
 * starts it with `ip netns exec`), so etcd, the agent, its BIRD and this driver all share
 * the namespace's loopback and nothing reaches the host's network:
 *   1. a private etcd, seeded with the synthetic datastore of `convergeNodes` nodes;
 *   2. `node bin/falconer node run --init-system` as one client node (BIRD supervised;
 *      GoBGP: `--backend=gobgp`, gobgpd supervised);
 *   3. converge: `changes` changes of a BGPPeer's peerIP, each timed from the etcd write
 *      until the daemon lists the new peer, next to the floor measured for the same change;
 *      once per backend (BIRD 1.6, BIRD 2 through FALCONER_BIRD_BIN, GoBGP through
 *      FALCONER_GOBGPD_BIN / FALCONER_GOBGP_BIN), each with a fresh agent on the same datastore;
 *   4. footprint: the first backend's agent's RSS and CPU while idle, then with a
 *      CalicoNodeStatus;
 *   5. cold start: fresh agents against a `coldNodes` datastore, per role.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { Etcd3, type IKeyValue } from 'etcd3'
import type { CalicoNodeStatus } from '../../src/api/types.js'
import { startEtcd } from '../../test/helpers/etcd.js'
import type { Teardowns } from '../../test/helpers/netns.js'
import { AgentProcess } from '../agent/agent-process.js'
import { bgpProtocols, bgpProtocolsInFile, sameSet } from '../agent/bird-probe.js'
import { birdStartFloor, codeLoadFloor, coldStart, type ColdStart } from '../agent/cold-start.js'
import { birdDaemon, gobgpDaemon, measureConverge, PEER_NAME, type ChangeSample, type ConvergeDaemon } from '../agent/converge.js'
import { FloorGobgpd, GobgpApi, gobgpNeighbors, neighborsInToml } from '../agent/gobgp-probe.js'
import { deletePrefix, writePairs } from '../agent/etcd-data.js'
import { nodeFloors, sampleFootprint, type Footprint } from '../agent/footprint.js'
import { storedPairs } from '../datastore/kvs.js'
import { DEFAULT_SPEC, nodeAddress, nodeName, rolesOf, syntheticDatastore, topologyOf, type Role } from '../datastore/synthetic.js'
import { BACKEND_LABEL, birdTools, figurePrefix, gobgpTools, type BenchBackend } from '../lib/backends.js'
import { log, runPhase } from '../lib/phase.js'
import { product, type Product } from '../lib/product.js'
import { median, now, round, spread, type Spread } from '../lib/stats.js'

export interface AgentOptions {
  /** Converge is measured for each, in this order; footprint and cold start for the first. */
  readonly backends: readonly BenchBackend[]
  readonly convergeNodes: number
  readonly changes: number
  readonly pollMs: number
  readonly settleMs: number
  readonly footprintSeconds: number
  readonly statusPeriodSeconds: number
  readonly coldNodes: number
  readonly coldRuns: number
  /** The namespace's interface; the runner put the client node's address on it. */
  readonly device: string
  readonly clientIndex: number
}

const run = promisify(execFile)

runPhase<AgentOptions>('agent', async (opts, teardowns) => {
  const p = await product()
  const figures: Record<string, number> = {}
  // Every backend's daemon is looked for before anything starts: a missing one is named with its fix.
  const toolsOf = new Map(opts.backends.map((b) => [b, b === 'gobgp' ? { gobgp: gobgpTools() } : { bird: birdTools(b) }] as const))

  const etcd = await startEtcd(teardowns)
  const client = new Etcd3({ hosts: etcd.endpoint })
  teardowns.teardown(() => client.close())
  log('agent', `etcd at ${etcd.endpoint} (inside the namespace)`)

  // ─── converge + footprint on the convergeNodes datastore ──────────────────────────
  const small = syntheticDatastore({ nodes: opts.convergeNodes, ...DEFAULT_SPEC })
  let t0 = now()
  await writePairs(client, storedPairs(p, small))
  log('agent', `seeded ${opts.convergeNodes} nodes, ${small.peers.length} BGPPeers, ${small.blocks.length} blocks in ${((now() - t0) / 1000).toFixed(1)} s`)

  const self = nodeName(opts.clientIndex)
  const [first] = opts.backends
  if (first === undefined) throw new Error('the agent phase needs at least one backend')
  Object.assign(figures, prefixed('converge', { nodes: opts.convergeNodes, changes: opts.changes, poll_ms: opts.pollMs }))
  const converge: Partial<Record<BenchBackend, ConvergeSpreads & { samples: readonly ChangeSample[] }>> = {}
  let footprint: { idle: Footprint; status: { footprint: Footprint; updates: number } } | undefined
  for (const backend of opts.backends) {
    const tools = toolsOf.get(backend)!
    // Every backend's agent starts from the same datastore: without the peer the last run moved.
    await client.delete().key(p.resourceKey('BGPPeer', PEER_NAME))
    const prefix = await mkdtemp(join(tmpdir(), 'fa-bench-agent-'))
    teardowns.teardown(() => rm(prefix, { recursive: true, force: true }))
    const agent = AgentProcess.start(teardowns, {
      prefix,
      nodeName: self,
      ip: `${nodeAddress(opts.clientIndex)}/16`,
      etcdEndpoint: etcd.endpoint,
      nodeFlags: p.agentNodeFlags,
      ...(tools.bird?.agentBirdBin !== undefined && { birdBin: tools.bird.agentBirdBin }),
      ...(tools.gobgp !== undefined && { gobgp: tools.gobgp }),
    })
    let daemon: ConvergeDaemon
    const closers: (() => unknown)[] = []
    if (tools.gobgp !== undefined) {
      const api = new GobgpApi(agent.paths.gobgpSocket)
      closers.push(() => api.close())
      await steadyGobgp(tools.gobgp.gobgp, agent)
      // The floor's own gobgpd, on the file the agent's gobgpd runs now.
      const dir = await mkdtemp(join(tmpdir(), 'fa-bench-gobgpd-'))
      teardowns.teardown(() => rm(dir, { recursive: true, force: true }))
      const floor = await FloorGobgpd.start(teardowns, tools.gobgp.gobgpd, dir, await readFile(agent.paths.gobgpConfig, 'utf8'))
      closers.push(() => floor.stop())
      log('agent', `${BACKEND_LABEL[backend]}: agent ${self} (pid ${agent.pid}) up; gobgpd runs ${(await gobgpNeighbors(tools.gobgp.gobgp, agent.paths.gobgpSocket)).size} neighbors; the floor's gobgpd is pid ${floor.pid}`)
      daemon = gobgpDaemon(api, floor, agent.paths.gobgpConfig, tools.gobgp.gobgpd, opts.pollMs)
    } else {
      const ctl = new p.BirdControl({ socketPath: agent.paths.birdSocket, timeoutMs: 30_000 })
      teardowns.teardown(() => ctl.close())
      closers.push(() => ctl.close())
      await steady(ctl, agent)
      log('agent', `${BACKEND_LABEL[backend]}: agent ${self} (pid ${agent.pid}) up; BIRD runs ${(await bgpProtocols(ctl)).size} BGP sessions`)
      daemon = birdDaemon(p, ctl, agent.paths.birdConfig, tools.bird!.bird)
    }

    const samples = await measureConverge(p, client, daemon, opts, () => agent.assertRunning())
    const spreads = convergeFigures(samples)
    converge[backend] = { ...spreads, samples }
    const key = figurePrefix('converge', backend)
    for (const [name, s] of Object.entries(spreads)) Object.assign(figures, prefixed(`${key}.${name}`, spreadFigures(s, name === 'probe' ? 2 : 1)))
    figures[`${key}.p99_over_floor_p99`] = round(spreads.visible.p99 / spreads.floor.p99, 2)

    if (backend === first) {
      // After the converge run V8's memory reducer keeps collecting for a while: idle means after that.
      await sleep(Math.min(20_000, opts.footprintSeconds * 700))
      log('agent', `footprint (${BACKEND_LABEL[backend]}): idle for ${opts.footprintSeconds} s`)
      const idle = await sampleFootprint(agent.pid, () => agent.birdPid(), opts.footprintSeconds)
      Object.assign(figures, footprintFigures('footprint.idle', idle))
      const status = await withNodeStatus(p, client, self, opts, agent)
      Object.assign(figures, footprintFigures('footprint.status', status.footprint))
      figures['footprint.status.period_s'] = opts.statusPeriodSeconds
      figures['footprint.status.updates'] = status.updates
      footprint = { idle, status }
    }
    for (const close of closers.reverse()) await close()
    await agent.stop()
  }
  if (footprint === undefined) throw new Error('no footprint was measured')
  const { idle, status } = footprint
  const floors = await nodeFloors(teardowns, Math.min(10, opts.footprintSeconds))
  for (const [name, f] of Object.entries(floors)) {
    Object.assign(figures, prefixed(`footprint.floor_${name}`, { rss_mean_mib: round(f.rssMeanMiB), rss_anon_mib: round(f.rssAnonMiB), cpu_percent: round(f.cpuPercent, 2) }))
  }

  // ─── cold start on the coldNodes datastore ─────────────────────────────────────────
  const big = syntheticDatastore({ nodes: opts.coldNodes, ...DEFAULT_SPEC })
  await deletePrefix(client, '/calico/')
  t0 = now()
  await writePairs(client, storedPairs(p, big))
  log('agent', `seeded ${opts.coldNodes} nodes, ${big.peers.length} BGPPeers, ${big.blocks.length} blocks in ${((now() - t0) / 1000).toFixed(1)} s`)
  const cold: { role: Role['role']; node: string; runs: Omit<ColdStart, 'config'>[]; birdFloorMs: number; birdFloorFileLogMs: number }[] = []
  for (const role of rolesOf(big.spec)) {
    const cidr = `${nodeAddress(role.index)}/16`
    const added = role.index !== opts.clientIndex
    if (added) await run('ip', ['addr', 'add', cidr, 'dev', opts.device])
    try {
      const runs: Omit<ColdStart, 'config'>[] = []
      let config = ''
      for (let r = 0; r < opts.coldRuns; r++) {
        const { config: text, ...c } = await coldStart(p, { nodeName: nodeName(role.index), ip: cidr, etcdEndpoint: etcd.endpoint })
        log('cold-start', `${opts.coldNodes} nodes, ${role.role}: bird.cfg ${c.configWrittenMs.toFixed(0)} ms (agent CPU ${c.configCpuMs.toFixed(0)} ms), BIRD running it ${c.birdConfiguredMs.toFixed(0)} ms (${c.bgpProtocols} BGP sessions)`)
        runs.push(c)
        config = text
      }
      const birdFloorMs = await birdStartFloor(p, config)
      const birdFloorFileLogMs = await birdStartFloor(p, config, true)
      log('cold-start', `floor: bird -f on the same file runs it after ${birdFloorMs.toFixed(0)} ms (${birdFloorFileLogMs.toFixed(0)} ms logging to a file)`)
      cold.push({ role: role.role, node: nodeName(role.index), runs, birdFloorMs, birdFloorFileLogMs })
      const key = `cold.n${opts.coldNodes}.${role.role === 'route reflector' ? 'rr' : role.role === 'client' ? 'client' : 'mesh'}`
      figures[`${key}.config_written_ms`] = Math.round(median(runs.map((c) => c.configWrittenMs)))
      figures[`${key}.config_cpu_ms`] = Math.round(median(runs.map((c) => c.configCpuMs)))
      figures[`${key}.ready_ms`] = Math.round(median(runs.map((c) => c.readyMs)))
      figures[`${key}.bird_configured_ms`] = Math.round(median(runs.map((c) => c.birdConfiguredMs)))
      figures[`${key}.sessions`] = runs[0]?.bgpProtocols ?? Number.NaN
      figures[`${key}.bird_floor_ms`] = Math.round(birdFloorMs)
      figures[`${key}.bird_floor_file_log_ms`] = Math.round(birdFloorFileLogMs)
    } finally {
      if (added) await run('ip', ['addr', 'del', cidr, 'dev', opts.device])
    }
  }

  const loads: number[] = []
  for (let r = 0; r < Math.max(3, opts.coldRuns); r++) loads.push(await codeLoadFloor())
  const codeLoadMs = median(loads)
  figures['cold.code_load_floor_ms'] = Math.round(codeLoadMs)

  return {
    figures,
    details: {
      converge: { nodes: opts.convergeNodes, topology: topologyOf(opts.convergeNodes), node: self, backends: converge },
      footprint: { backend: first, idle, status: status.footprint, statusUpdates: status.updates, statusPeriodSeconds: opts.statusPeriodSeconds, floors },
      coldStart: { nodes: opts.coldNodes, topology: topologyOf(opts.coldNodes), roles: cold, codeLoadMs },
    },
    notes: [
      `the real agent: node ${p.agentNodeFlags.join(' ')} bin/falconer node run --init-system (dist/; the node flags of the systemd unit), with its own supervised BIRD, in a network namespace with a private etcd`,
      `converge: one global BGPPeer, created and then moved to a new peerIP at each change (its protocol is replaced, so the daemon's config keeps one size), written with etcd3 from this driver; visible = BIRD \`show protocols "NAME"\` / gobgpd ListPeer{address} over its gRPC socket, polled every ${opts.pollMs} ms`,
      'BIRD floor = (etcd write → the driver’s own watch event) + (BIRD `configure` of the agent’s bird.cfg, issued directly), per change',
      'GoBGP floor = (etcd write → watch event) + (`gobgpd -d -t toml -f` of the agent’s gobgpd.toml: the check the agent runs) + (a second gobgpd of the bench, on the previous file, listening on no port: the agent’s new file renamed into place, SIGHUP → the new neighbor listed by ListPeer), per change',
      'the agent renders a lone event at once; BIRD: it checks every file through the running BIRD (`configure check`), `bird -p` of the same file is shown for comparison; GoBGP: it runs `gobgpd -d` on the candidate, renames it into place and sends SIGHUP',
      `converge per backend, one fresh agent after the other on the same datastore: ${opts.backends.map((b) => BACKEND_LABEL[b]).join(', ')}; footprint and cold start: ${BACKEND_LABEL[first]}`,
    ],
  }
})

/** Until BIRD runs exactly the protocols of the agent's bird.cfg and the agent said it is ready. */
async function steady(ctl: Parameters<typeof bgpProtocols>[0], agent: AgentProcess): Promise<void> {
  const deadline = now() + 120_000
  for (;;) {
    agent.assertRunning()
    try {
      if (agent.readyAt !== undefined && sameSet(await bgpProtocols(ctl), bgpProtocolsInFile(agent.paths.birdConfig))) return
    } catch {
      // BIRD not up yet
    }
    if (now() > deadline) throw new Error(`the agent did not settle within 120 s:\n${agent.logTail()}`)
    await sleep(100)
  }
}

/** Until gobgpd runs exactly the neighbors of the agent's gobgpd.toml and the agent said it is ready. */
async function steadyGobgp(gobgp: string, agent: AgentProcess): Promise<void> {
  const deadline = now() + 120_000
  for (;;) {
    agent.assertRunning()
    try {
      if (agent.readyAt !== undefined && sameSet(await gobgpNeighbors(gobgp, agent.paths.gobgpSocket), neighborsInToml(await readFile(agent.paths.gobgpConfig, 'utf8')))) return
    } catch {
      // gobgpd not up yet
    }
    if (now() > deadline) throw new Error(`the agent did not settle within 120 s:\n${agent.logTail()}`)
    await sleep(100)
  }
}

type ConvergeSpreads = Record<'visible' | 'watch' | 'configure' | 'floor' | 'check' | 'probe', Spread>

function convergeFigures(samples: readonly ChangeSample[]): ConvergeSpreads {
  return {
    visible: spread(samples.map((s) => s.visibleMs)),
    watch: spread(samples.map((s) => s.watchMs)),
    configure: spread(samples.map((s) => s.configureMs)),
    floor: spread(samples.map((s) => s.floorMs)),
    check: spread(samples.map((s) => s.checkMs)),
    probe: spread(samples.map((s) => s.probeMs)),
  }
}

function spreadFigures(s: Spread, digits = 1): Record<string, number> {
  return { p50_ms: round(s.p50, digits), p95_ms: round(s.p95, digits), p99_ms: round(s.p99, digits), max_ms: round(s.max, digits) }
}

function footprintFigures(key: string, f: Footprint): Record<string, number> {
  return prefixed(key, {
    seconds: round(f.seconds),
    rss_mean_mib: round(f.rssMeanMiB),
    rss_max_mib: round(f.rssMaxMiB),
    rss_anon_mib: round(f.rssAnonMiB),
    rss_file_mib: round(f.rssFileMiB),
    cpu_percent: round(f.cpuPercent, 2),
    system_cpu_percent: round(f.systemCpuPercent, 2),
    bird_rss_mib: round(f.birdRssMiB),
  })
}

function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}.${k}`, v]))
}

/**
 * A CalicoNodeStatus for this node (all classes, `statusPeriodSeconds`): sampled once the
 * agent has written its first status, for the same window as idle; deleted afterwards.
 */
async function withNodeStatus(
  p: Product,
  client: Etcd3,
  node: string,
  opts: AgentOptions,
  agent: AgentProcess,
): Promise<{ footprint: Footprint; updates: number }> {
  // The reporter writes only when the content changed, so `updates` counts actual writes.
  const resource: CalicoNodeStatus = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'CalicoNodeStatus',
    metadata: { name: 'bench-status', uid: '00000000-0000-4000-8000-999999999999', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { node, classes: ['Agent', 'BGP', 'Routes'], updatePeriodSeconds: opts.statusPeriodSeconds },
  }
  const key = p.resourceKey('CalicoNodeStatus', resource.metadata.name)
  await client.put(key).value(p.encodeResource(resource))
  const deadline = now() + 60_000
  for (;;) {
    agent.assertRunning()
    const text = await client.get(key).string()
    if (text !== null && (JSON.parse(text) as { status?: { lastUpdated?: string } }).status?.lastUpdated !== undefined) break
    if (now() > deadline) throw new Error(`the agent wrote no status to ${key} within 60 s:\n${agent.logTail()}`)
    await sleep(250)
  }
  let updates = 0
  const watcher = await client.watch().key(key).create()
  watcher.on('put', (_kv: IKeyValue) => updates++)
  try {
    log('agent', `footprint: with a CalicoNodeStatus every ${opts.statusPeriodSeconds} s, for ${opts.footprintSeconds} s`)
    const footprint = await sampleFootprint(agent.pid, () => agent.birdPid(), opts.footprintSeconds)
    return { footprint, updates }
  } finally {
    await watcher.cancel()
    await client.delete().key(key)
  }
}
