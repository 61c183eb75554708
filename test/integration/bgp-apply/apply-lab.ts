import { Writable } from 'node:stream'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Etcd3 } from 'etcd3'
import { pino, type Logger } from 'pino'
import { API_VERSION, type AnyResource, type Node } from '../../../src/api/types.js'
import { probeBird, type BackendRuntime } from '../../../src/backends/backend.js'
import { bird2Backend } from '../../../src/backends/bird2/backend.js'
import { ConfigApplier } from '../../../src/bgp/apply/config-applier.js'
import { checkConfig } from '../../../src/bgp/apply/config-check.js'
import { reloadBird } from '../../../src/bgp/apply/bird-reload.js'
import { Reconciler, type ReconcileResult } from '../../../src/bgp/reconciler.js'
import { renderConfigs } from '../../../src/bgp/render-configs.js'
import { TemplateSource } from '../../../src/bgp/template-source.js'
import { BirdControl } from '../../../src/bird/control/index.js'
import { parseProtocolDetails, parseStatus, type BirdStatus, type BirdTimestamp, type ProtocolDetails } from '../../../src/bird/replies/index.js'
import { BirdSupervisor, birdDaemonSpecs } from '../../../src/bird/supervisor/index.js'
import { createEtcdClient } from '../../../src/datastore/etcd-client.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { affinityKey, resourceKey } from '../../../src/datastore/keys.js'
import { parseCidr } from '../../../src/datastore/cidr.js'
import { startSyncer, type Syncer, type SyncStatus } from '../../../src/datastore/syncer.js'
import type { RetryPolicy } from '../../../src/retry-delay.js'
import { derivePaths, type Paths } from '../../../src/settings/paths.js'
import { bird1Reader } from '../../../src/status/family-reader.js'
import { requireBird2 } from '../../helpers/bird2.js'
import { startEtcd, type EtcdHandle } from '../../helpers/etcd.js'
import {
  addAddress,
  addVeth,
  createNetns,
  ipIn,
  linkUp,
  pollUntil,
  removeStaleNamespaces,
  spawnInNetns,
  waitForOperstate,
  type Netns,
  type TeardownHost,
} from '../../helpers/netns.js'

/**
 * The configuration pipeline against real things, as the agent wires it, for either BIRD
 * backend:
 *
 *   etcd (loopback) ──► syncer ──► Reconciler ──► the backend's appliers ──► config file(s)
 *                                   (in the test process)             │  `configure` over the
 *                                                                     ▼  control socket
 *   ns A (10.99.N.1, fd99:N::1): BIRD 1.6's bird + bird6, or BIRD 2's one bird (both
 *        │ veth                 families), run by BirdSupervisor (wrap: ip netns exec A)
 *   ns B (10.99.N.2; with BIRD 2 also fd99:N::2): the same BIRD generation with a
 *        hand-written config, logging to a file, peering with A as Mesh_10_99_N_1 (A's side
 *        is Mesh_10_99_N_2, from the mesh); with BIRD 2 also over IPv6 (Mesh_fd99_N__1).
 *
 * Node A (`node-a`) and node B (`node-b`) are Node resources; A has one confirmed block
 * (192.168.N.0/26) inside the default pool, so B learns one route from A (with BIRD 2 also
 * fd99:100:0:N::/122 in an IPv6 pool).
 * Addresses other peers are given (10.99.N.48-.99, fd99:N:1::/64) are unreachable from
 * A by route, so BIRD's connects to them fail at once and never leave the namespace.
 */

export const NODE_A = 'node-a'
export const NODE_B = 'node-b'
export const LOCAL_AS = 64512

export interface LogRecord {
  readonly level: number
  readonly msg?: string
  readonly [k: string]: unknown
}

/** Everything the Reconciler reported, in order. */
export class ResultLog {
  readonly results: ReconcileResult[] = []
  readonly errors: unknown[] = []

  push(r: ReconcileResult): void {
    this.results.push(r)
  }

  /** The first result from index `from` on whose snapshot revision is at least `revision`. */
  async atLeast(revision: number, from = 0, timeoutMs = 60_000): Promise<ReconcileResult> {
    return pollUntil(
      `a reconcile result at revision >= ${revision}`,
      () => {
        if (this.errors.length > 0) throw new Error(`the reconciler failed: ${String(this.errors[0])}`)
        return this.results.slice(from).find((r) => r.revision >= revision)
      },
      { timeoutMs, intervalMs: 10 },
    )
  }

  /** The first result after index `from` (any revision). */
  async after(from: number, timeoutMs = 60_000): Promise<ReconcileResult> {
    return pollUntil(`a reconcile result after #${from}`, () => this.results[from], { timeoutMs, intervalMs: 10 })
  }
}

export type LabBackend = 'bird1' | 'bird2'

/** One BGP session of the lab, by its protocol name on each side. */
export interface LabSession {
  readonly family: 4 | 6
  readonly onA: string
  readonly onB: string
}

export interface ApplyLab {
  readonly backend: LabBackend
  readonly net: number
  readonly a: Netns
  readonly b: Netns
  readonly paths: Paths
  readonly etcd: EtcdHandle
  /** The test's own etcd client (the operator's side). */
  readonly writer: Etcd3
  /** The backend as the Reconciler drives it: render, appliers, daemons, readers. */
  readonly runtime: BackendRuntime
  readonly reconciler: Reconciler
  readonly syncer: Syncer
  readonly supervisor: BirdSupervisor
  readonly results: ResultLog
  /** The Reconciler's first result: applied before BIRD ran. */
  readonly first: ReconcileResult
  /** Every record the pipeline logged (pino JSON). */
  readonly logs: LogRecord[]
  readonly syncStatuses: SyncStatus[]
  /** How many `configure` requests went to A's sockets (BIRD 2's one socket counts as v4). */
  readonly reloads: { v4: number; v6: number }
  /** A's BGP protocol toward B over IPv4 (from the mesh) and B's toward A. */
  readonly sessionOnA: string
  readonly sessionOnB: string
  /** Every A↔B session: IPv4, and with BIRD 2 IPv6 too. */
  readonly sessions: readonly LabSession[]
  readonly bLogFile: string
  readonly bSocket: string
  /** A's IPv4 control socket; with BIRD 2 the one socket, so `controlA6` is the same client. */
  readonly controlA: BirdControl
  readonly controlA6: BirdControl
  readonly controlB: BirdControl
  /** Every session Established on both sides. */
  allEstablished(): Promise<boolean>
  /** Resource/affinity writes; each resolves with the etcd revision of the write. */
  put(r: AnyResource): Promise<number>
  putRaw(key: string, value: string): Promise<number>
  remove(key: string): Promise<number>
  affinity(node: string, cidr: string, state?: 'confirmed' | 'pending'): Promise<number>
  /** Writes, then waits until the Reconciler has applied a snapshot at least that new. */
  change(write: () => Promise<number>): Promise<{ revision: number; result: ReconcileResult; ms: number }>
}

export function resource<K extends AnyResource['kind']>(kind: K, name: string, spec: object, labels?: Record<string, string>): AnyResource {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: { name, ...(labels && { labels }) },
    spec,
  } as AnyResource
}

export function nodeResource(name: string, bgp: NonNullable<Node['spec']['bgp']>, labels?: Record<string, string>): Node {
  return { apiVersion: API_VERSION, kind: 'Node', metadata: { name, ...(labels && { labels }) }, spec: { bgp } }
}

export function keyOf(r: AnyResource): string {
  return resourceKey(r.kind, r.metadata.name)
}

export function affinityKeyOf(node: string, cidr: string): string {
  return affinityKey(node, parseCidr(cidr))
}

function captureLogger(records: LogRecord[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as LogRecord)
      done()
    },
  })
  return pino({ level: 'debug' }, sink)
}

/**
 * B's config: a static protocol with B's routes and a session toward A per family. BIRD 1.6
 * filters at the protocol, BIRD 2 in each channel; `extra` is appended (a test's own sessions).
 */
function birdBConfig(backend: LabBackend, net: number, logFile: string, extra = ''): string {
  const session = (name: string, neighbor: string, source: string, filters: string) => `
protocol bgp ${name} {
  debug { states, events };
  local as ${LOCAL_AS};
  neighbor ${neighbor} as ${LOCAL_AS};
  source address ${source};
  ${filters}
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 5;
}
`
  const routes = backend === 'bird1'
    ? `protocol static b_block { route 192.168.${net}.64/26 blackhole; }
${session(`Mesh_10_99_${net}_1`, `10.99.${net}.1`, `10.99.${net}.2`, 'import all;\n  export where proto = "b_block";')}`
    : `protocol static b4 { ipv4; route 192.168.${net}.64/26 blackhole; route 192.168.${net}.128/26 blackhole; }
protocol static b6 { ipv6; route fd99:200:${net}::/122 blackhole; }
${session(`Mesh_10_99_${net}_1`, `10.99.${net}.1`, `10.99.${net}.2`, 'ipv4 { import all; export where proto = "b4"; };')}\
${session(`Mesh_fd99_${net}__1`, `fd99:${net}::1`, `fd99:${net}::2`, 'ipv6 { import all; export where proto = "b6"; };')}`
  return `router id 10.99.${net}.2;
log "${logFile}" all;
timeformat base iso long;
timeformat log iso long;
timeformat protocol iso long;
timeformat route iso long;

protocol device { scan time 2; }
${routes}${extra}`
}

/**
 * BIRD 1.6 as its backend runs it, except that every config is checked with `bird -p`
 * alone (never `configure check` on the running daemon), so a rejection here is always
 * the spawned checker's; config-check-socket.test.ts covers the socket route.
 */
function bird1Runtime(paths: Paths, log: Logger, control: (socketPath: string) => BirdControl): BackendRuntime {
  const v4 = control(paths.birdSocket)
  const v6 = control(paths.bird6Socket)
  const templates = new TemplateSource(paths.templateOverrideDir, log)
  const applier = (family: 4 | 6) =>
    new ConfigApplier(family === 4 ? paths.birdConfig : paths.bird6Config, family, {
      check: checkConfig,
      reload: (file) => reloadBird(family === 4 ? v4 : v6, file),
    }, log.child({ family }))
  return {
    render: (input) => renderConfigs({ ...input, templates: templates.get() }),
    appliers: { v4: applier(4), v6: applier(6) },
    daemons: birdDaemonSpecs(paths),
    readers: { v4: bird1Reader(v4), v6: bird1Reader(v6) },
    configDirs: [join(paths.confdDir, 'config')],
    watchTemplates: (onChange) => templates.watch(onChange),
    close: async () => {
      await templates.close()
      await Promise.all([v4.close(), v6.close()])
    },
  }
}

export interface ApplyLabOptions {
  /** Which BIRD runs on A and B (default BIRD 1.6). */
  readonly backend?: LabBackend
  /** Runs once the directories exist, before the first render (e.g. mount a tmpfs on the config dir). */
  readonly prepare?: (paths: Paths) => Promise<void>
  /** Backoff of the Reconciler's retries of a failed apply (default the product's). */
  readonly retry?: RetryPolicy
  /** More of B: addresses on its veth (CIDR form) and config appended to its file. */
  readonly extraB?: { readonly addresses: readonly string[]; readonly config: string }
}

/** Builds the lab and waits until every A↔B session is Established. */
export async function startApplyLab(t: TeardownHost, net: number, opts: ApplyLabOptions = {}): Promise<ApplyLab> {
  const backend = opts.backend ?? 'bird1'
  const dualStack = backend === 'bird2'
  // BIRD 2 replaces `bird` on the PATH only in .deps: it fails here, before anything starts, when missing.
  const birdBin = backend === 'bird2' ? requireBird2() : 'bird'
  const tag = backend === 'bird1' ? 'ap' : 'b2'
  await removeStaleNamespaces(tag)
  const a = await createNetns(t, tag, { ipv6Dad: false })
  const b = await createNetns(t, tag, { ipv6Dad: false })
  await addVeth(a, 'veth-a', 'veth-b', { peerNs: b })
  await addAddress(a, 'veth-a', `10.99.${net}.1/24`)
  await addAddress(a, 'veth-a', `fd99:${net}::1/64`, { nodad: true })
  await addAddress(b, 'veth-b', `10.99.${net}.2/24`)
  if (dualStack) await addAddress(b, 'veth-b', `fd99:${net}::2/64`, { nodad: true })
  for (const cidr of opts.extraB?.addresses ?? []) await addAddress(b, 'veth-b', cidr, { nodad: cidr.includes(':') })
  await linkUp(a, 'veth-a')
  await linkUp(b, 'veth-b')
  await waitForOperstate(a, 'veth-a', ['UP'])
  // Other peers live at 10.99.N.48-.99 and fd99:N:1::/64: connects fail at once, locally.
  for (const dest of [`10.99.${net}.48/28`, `10.99.${net}.64/27`, `10.99.${net}.96/30`, `fd99:${net}:1::/64`]) {
    await ipIn(a, [...(dest.includes(':') ? ['-6'] : []), 'route', 'add', 'unreachable', dest])
  }

  const prefix = await mkdtemp(join(tmpdir(), `fa-${tag}-`))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const paths = derivePaths(prefix)
  for (const dir of [join(paths.confdDir, 'config'), paths.runDir, join(paths.templateOverrideDir, 'partials'), paths.secretsDir]) {
    await mkdir(dir, { recursive: true })
  }
  await opts.prepare?.(paths)

  const etcd = await startEtcd(t)
  const writer = createEtcdClient(etcd.settings)
  t.teardown(() => writer.close())

  const put = async (r: AnyResource) => Number((await writer.put(keyOf(r)).value(JSON.stringify(r)).exec()).header.revision)
  const putRaw = async (key: string, value: string) => Number((await writer.put(key).value(value).exec()).header.revision)
  const remove = async (key: string) => Number((await writer.delete().key(key).exec()).header.revision)
  const affinity = (node: string, cidr: string, state: 'confirmed' | 'pending' = 'confirmed') =>
    putRaw(affinityKeyOf(node, cidr), JSON.stringify({ state }))

  await put(nodeResource(NODE_A, { ipv4Address: `10.99.${net}.1/24`, ipv6Address: `fd99:${net}::1/64` }))
  await put(nodeResource(NODE_B, { ipv4Address: `10.99.${net}.2/24`, ...(dualStack && { ipv6Address: `fd99:${net}::2/64` }) }))
  await put(resource('IPPool', 'default-ipv4-ippool', { cidr: '192.168.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true }))
  if (dualStack) await put(resource('IPPool', 'default-ipv6-ippool', { cidr: 'fd99:100::/48', blockSize: 122, ipipMode: 'Never', vxlanMode: 'Never' }))
  let seeded = await affinity(NODE_A, `192.168.${net}.0/26`)
  if (dualStack) seeded = await affinity(NODE_A, `fd99:100:0:${net}::/122`)

  const logs: LogRecord[] = []
  const log = captureLogger(logs)
  // One client per socket, shared by the backend and the test, counting what reconfigures BIRD.
  const reloads = { v4: 0, v6: 0 }
  const controls = new Map<string, BirdControl>()
  const control = (socketPath: string): BirdControl => {
    const existing = controls.get(socketPath)
    if (existing !== undefined) return existing
    const c = new BirdControl({ socketPath, timeoutMs: 10_000 })
    const request = c.request.bind(c)
    c.request = (command, reqOpts) => {
      if (command.startsWith('configure')) reloads[socketPath === paths.bird6Socket ? 'v6' : 'v4']++
      return request(command, reqOpts)
    }
    controls.set(socketPath, c)
    return c
  }
  const runtime = backend === 'bird1'
    ? bird1Runtime(paths, log, control)
    : bird2Backend(await probeBird(birdBin)).start({ paths, log, controls: control })
  t.teardown(() => runtime.close())
  const controlA = control(paths.birdSocket)
  const controlA6 = backend === 'bird1' ? control(paths.bird6Socket) : controlA

  const results = new ResultLog()
  const reconciler = new Reconciler({
    nodeName: NODE_A,
    secretsDir: paths.secretsDir,
    render: (input) => runtime.render(input),
    appliers: runtime.appliers,
    log,
    ...(opts.retry !== undefined && { retry: opts.retry }),
    onResult: (r) => results.push(r),
    onError: (err) => results.errors.push(err),
  })
  t.teardown(() => reconciler.stop())
  runtime.watchTemplates(() => reconciler.refresh())

  const store = await EtcdStore.connect(etcd.settings, log)
  t.teardown(() => store.close())
  const syncStatuses: SyncStatus[] = []
  const syncer: Syncer = startSyncer(store.client, {
    log,
    backoff: { initialMs: 100, maxMs: 1_000 },
    onSnapshot: (s) => reconciler.submit(s),
    onStatus: (s) => syncStatuses.push(s),
  })
  t.teardown(() => syncer.stop())

  // The first render lands before BIRD runs: BIRD starts on a file that already passed `bird -p`.
  const first = await results.atLeast(seeded)
  for (const outcome of [first.v4, first.v6]) {
    if (outcome.result !== 'applied' || outcome.reload !== 'not-running') {
      throw new Error(`first apply: expected applied/not-running, got ${JSON.stringify(outcome)}`)
    }
  }

  const supervisor = new BirdSupervisor({
    manage: true,
    daemons: runtime.daemons,
    wrap: ['ip', 'netns', 'exec', a.name],
    backoff: { initialMs: 200, maxMs: 2_000 },
    stopGraceMs: 5_000,
    log,
  })
  t.teardown(() => supervisor.stop())
  supervisor.start()

  const bDir = join(prefix, 'node-b')
  await mkdir(bDir, { recursive: true })
  const bLogFile = join(bDir, 'bird.log')
  const bConfig = join(bDir, 'bird.cfg')
  const bSocket = join(bDir, 'bird.ctl')
  await writeFile(bConfig, birdBConfig(backend, net, bLogFile, opts.extraB?.config))
  spawnInNetns(t, b, birdBin, ['-f', '-c', bConfig, '-s', bSocket, '-P', join(bDir, 'bird.pid')])
  const controlB = new BirdControl({ socketPath: bSocket, timeoutMs: 10_000 })
  t.teardown(() => controlB.close())

  const sessions: LabSession[] = [{ family: 4, onA: `Mesh_10_99_${net}_2`, onB: `Mesh_10_99_${net}_1` }]
  if (dualStack) sessions.push({ family: 6, onA: `Mesh_fd99_${net}__2`, onB: `Mesh_fd99_${net}__1` })
  const allEstablished = async () => {
    for (const s of sessions) {
      if (!(await isEstablished(controlA, s.onA)) || !(await isEstablished(controlB, s.onB))) return false
    }
    return true
  }
  await pollUntil(
    `${sessions.map((s) => `${s.onA} on A and ${s.onB} on B`).join(', ')} Established`,
    allEstablished,
    { timeoutMs: 90_000, intervalMs: 250 },
  )
  await pollUntil('A\'s IPv6 daemon to answer', async () => (await birdStatus(controlA6)).state === 'running', { timeoutMs: 30_000 })

  const change = async (write: () => Promise<number>) => {
    const from = results.results.length
    const started = Date.now()
    const revision = await write()
    const result = await results.atLeast(revision, from)
    return { revision, result, ms: Date.now() - started }
  }

  return {
    backend, net, a, b, paths, etcd, writer, runtime, reconciler, syncer, supervisor, results, first, logs, syncStatuses, reloads,
    sessionOnA: sessions[0]!.onA, sessionOnB: sessions[0]!.onB, sessions, bLogFile, bSocket, controlA, controlA6, controlB,
    allEstablished, put, putRaw, remove, affinity, change,
  }
}

export async function protocolDetails(control: BirdControl, name: string): Promise<ProtocolDetails> {
  const reply = await control.request(`show protocols all ${name}`)
  const found = parseProtocolDetails(reply.lines).find((p) => p.name === name)
  if (found === undefined) throw new Error(`protocol ${name} not found on ${control.socketPath}`)
  return found
}

export async function isEstablished(control: BirdControl, name: string): Promise<boolean> {
  const p = await protocolDetails(control, name)
  return p.bgpDetails?.state === 'Established'
}

export async function birdStatus(control: BirdControl): Promise<BirdStatus> {
  return parseStatus((await control.request('show status')).lines)
}

/**
 * BIRD 1.6 prints every time (a protocol's `since`, `show status`) as
 * now_real - (now - t): two clocks sampled in whole seconds, so the same instant reads
 * ±1 s from one query to the next. Tests compare BIRD times with that tolerance and keep
 * the events they look for (a restart, a reconfiguration) well clear of it.
 */
export const BIRD_TIME_JITTER_MS = 1_000

export function timestampMs(ts: BirdTimestamp): number {
  if (ts.format !== 'datetime') throw new Error(`expected an iso long timestamp, got ${JSON.stringify(ts.raw)}`)
  return new Date(`${ts.date}T${ts.time}`).getTime()
}

export function sameBirdTime(a: BirdTimestamp, b: BirdTimestamp): boolean {
  return Math.abs(timestampMs(a) - timestampMs(b)) <= BIRD_TIME_JITTER_MS
}

/** A restart moves `since` to the present: ages of 3 s and more stand clear of the jitter. */
export const sameSince = sameBirdTime

/** How old an event must look (by BIRD's clock) before a repeat of it is told apart: 3 s + jitter. */
const SETTLED_MS = 3_000 + BIRD_TIME_JITTER_MS

/** Waits until the session has been up for `seconds` by BIRD's clock, so a restart stands out. */
export async function sessionAgedAtLeast(control: BirdControl, name: string, seconds: number): Promise<ProtocolDetails> {
  return pollUntil(
    `${name} to be up for ${seconds} s`,
    async () => {
      const [p, s] = [await protocolDetails(control, name), await birdStatus(control)]
      return p.bgpDetails?.state === 'Established' && timestampMs(s.serverTime) - timestampMs(p.since) >= seconds * 1000 ? p : undefined
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  )
}

/**
 * Waits until BIRD's last reconfiguration looks at least 4 s old, so that another one
 * would show as a jump beyond the jitter; resolves with that `show status`.
 */
export async function settledAfterReconfiguration(control: BirdControl): Promise<BirdStatus> {
  return pollUntil(
    'BIRD\'s last reconfiguration to be a few seconds old',
    async () => {
      const s = await birdStatus(control)
      return timestampMs(s.serverTime) - timestampMs(s.lastReconfiguration) >= SETTLED_MS ? s : undefined
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  )
}

/** `protocol bgp NAME … }` or `template bgp NAME {… }` as rendered, or undefined. */
export function protocolText(config: string, header: RegExp): string | undefined {
  const lines = config.split('\n')
  const start = lines.findIndex((l) => header.test(l))
  if (start < 0) return undefined
  const end = lines.findIndex((l, i) => i > start && l === '}')
  return end < 0 ? undefined : lines.slice(start, end + 1).join('\n')
}
