import { mkdir } from 'node:fs/promises'
import { chooseBirdBackend, type Backend } from './backends/backend.js'
import { chooseGobgpBackend } from './backends/gobgp/backend.js'
import type { ApplyOutcome } from './bgp/apply/config-applier.js'
import { ApplyError, Reconciler } from './bgp/reconciler.js'
import { watchSecrets } from './bgp/secrets.js'
import { BirdSupervisor, type StopMode } from './bird/supervisor/index.js'
import { DatastoreLink } from './datastore-link.js'
import type { KnownResources } from './datastore/snapshot-state.js'
import type { Logger } from './log.js'
import { startAgentDrain } from './node/drain/agent-drain.js'
import type { Settings } from './settings/settings.js'
import { BirdPoller } from './status/bird-poller.js'
import { createHealth, type Health } from './status/http.js'
import { NodeStatusReporter } from './status/node-status-reporter.js'
import { reportBirdRestarts } from './status/supervisor-health.js'

/**
 * The long-running pipeline: syncer → intent → render → apply → BIRD, plus status
 * reporting and health. It only wires stages together and owns their lifecycles.
 */
export interface AgentOptions {
  readonly settings: Settings
  readonly nodeName: string
  readonly log: Logger
  /** 'none': register only, render nothing (calico/node's CALICO_NETWORKING_BACKEND=none). */
  readonly backend: 'bird' | 'gobgp' | 'none'
  /** false: BIRD is started by someone else (another unit); the agent only renders and reloads. */
  readonly manageBird: boolean
  /**
   * How BIRD goes down with the agent: 'graceful-restart' (default) without a BGP
   * NOTIFICATION, so peers keep its routes while the agent restarts; 'clean' closes every
   * session (peers withdraw at once).
   */
  readonly birdStop?: StopMode
  /** CALICO_ROUTER_ID: 'hash' or an explicit IPv4; default the node's IPv4 address. */
  readonly routerId?: string
  /** Re-reads flags, env and the client config file, which the agent then watches. */
  readonly reloadSettings?: () => Settings
  /**
   * The daemon backend; default: for 'bird', chosen by the version of settings.birdBin
   * (BIRD 1.6 or 2); for 'gobgp', settings.gobgpdBin.
   */
  readonly birdBackend?: Backend
  /** Called once the first config has been applied (for `node run` detach). */
  readonly onReady?: () => void
  /** Hands out the health model once it exists (the systemd watchdog pings while it is live). */
  readonly onHealth?: (health: Health) => void
  /** Startup's Node list, handed over once to the first initial list (saves decoding it twice). */
  readonly takeStartupListing?: () => KnownResources | undefined
}

/** How often BIRD is polled for health and metrics, and the agent loop proves it is alive. */
const POLL_MS = 5_000

/**
 * How long the agent waits, in all, for its stages to stop. A stage can be waiting on a
 * BIRD that does not answer (a `configure` allows 30 s) or on an etcd behind a black hole
 * (10 s per request); systemd SIGKILLs the whole unit after TimeoutStopSec (30 s), which
 * would also take BIRD down with a Cease. Past the budget, each remaining stage is still
 * told to stop (BIRD is always signalled) but waited for only briefly.
 */
export const STOP_BUDGET_MS = 10_000
/** The least a stage is waited for once the budget is spent. */
const STOP_STEP_MIN_MS = 500

/** Runs until `signal` aborts, then stops every stage, newest first, within STOP_BUDGET_MS. */
export async function runAgent(opts: AgentOptions, signal: AbortSignal): Promise<void> {
  const { settings, log } = opts
  const stops: (() => Promise<void> | void)[] = []
  const stopAll = async () => {
    const deadline = Date.now() + STOP_BUDGET_MS
    for (const stop of stops.reverse()) {
      const waitMs = Math.max(deadline - Date.now(), STOP_STEP_MIN_MS)
      // Errors are logged whenever they come, also from a stage no longer waited for.
      const stopped = Promise.resolve()
        .then(stop)
        .catch((err: unknown) => log.warn({ err }, 'error while stopping the agent'))
      if (!(await settlesWithin(stopped, waitMs))) {
        // The stop function's own text ("() => reconciler.stop()") names the stage well enough.
        log.warn({ stage: String(stop).replace(/\s+/g, ' ').slice(0, 80), waitedMs: waitMs }, 'a stage did not stop in time; not waiting for it')
      }
    }
  }
  try {
    const health = createHealth({ log, host: settings.health.host, port: settings.health.port })
    opts.onHealth?.(health)
    if (settings.health.port !== 0) {
      await health.server.listen()
      stops.push(() => health.server.close())
    }
    const heartbeat = setInterval(() => health.heartbeat(), 1_000)
    health.heartbeat()
    stops.push(() => clearInterval(heartbeat))

    if (opts.backend === 'none') {
      log.info('networking backend is none: node registered, no BGP daemon configured')
      opts.onReady?.()
    } else {
      await runDaemonBackend(opts, health, stops)
    }
    await abortion(signal)
    log.info('stopping the agent')
  } finally {
    await stopAll()
  }
}

async function runDaemonBackend(opts: AgentOptions, health: Health, stops: (() => Promise<void> | void)[]): Promise<void> {
  const { settings, log, nodeName } = opts
  const { paths } = settings
  const backend =
    opts.birdBackend ??
    (opts.backend === 'gobgp' ? await chooseGobgpBackend(settings.gobgpdBin, settings.gobgpBin) : await chooseBirdBackend(settings.birdBin))
  const { install } = backend
  log.info({ backend: backend.name, version: install.version, daemon: install.generation === 'gobgp' ? install.gobgpd : install.bird }, 'BGP backend chosen')
  const runtime = backend.start({ paths, log })
  stops.push(() => runtime.close({ keepRoutes: (opts.birdStop ?? 'graceful-restart') === 'graceful-restart' }))
  for (const dir of [...runtime.configDirs, paths.runDir, paths.templateOverrideDir]) {
    await mkdir(dir, { recursive: true })
  }
  const birds = runtime.readers

  let ready = false
  // The drain's watch calls the reconciler, which is made right below (no await between).
  const drain = await startAgentDrain({ stateDir: paths.stateDir, runDir: paths.runDir, log, onChange: () => reconciler.refresh() })
  stops.push(() => drain.stop())
  const reconciler = new Reconciler({
    nodeName,
    ...(opts.routerId !== undefined && { routerId: opts.routerId }),
    secretsDir: paths.secretsDir,
    render: (input) => runtime.render(input),
    appliers: runtime.appliers,
    log,
    readDrain: drain.readDrain,
    onResult: (r) => {
      if (r.v4.result !== 'rejected' && r.v6.result !== 'rejected') void drain.recordApplied(r.drainId)
      health.setApplyFailure(undefined)
      recordApplies(health, r, r.revision)
      if (!ready && r.v4.result !== 'rejected' && r.v6.result !== 'rejected') {
        ready = true
        opts.onReady?.()
      }
    },
    onError: (err, failure) => {
      // a family that went through in the same run counts as applied
      if (err instanceof ApplyError) recordApplies(health, err.applied)
      for (const family of failure.families) health.recordApply({ family, ok: false, seconds: 0 })
      health.setApplyFailure(failure)
    },
  })
  stops.push(() => reconciler.stop())
  runtime.watchTemplates(() => reconciler.refresh())
  stops.push(await watchSecrets(paths.secretsDir, () => reconciler.refresh(), log))

  // BIRD starts once its config exists; the supervisor waits for the first apply by itself.
  const supervisor = new BirdSupervisor(
    opts.manageBird
      ? { manage: true, daemons: runtime.daemons, log }
      : { manage: false, daemons: runtime.daemons, log },
  )
  const detachRestarts = reportBirdRestarts(supervisor, health)
  if (runtime.daemonStarted !== undefined) supervisor.on('started', (name) => runtime.daemonStarted?.(name))
  supervisor.start()
  // A drained node has already moved its traffic away: it closes its sessions (peers
  // withdraw at once) rather than leave stale routes behind through graceful restart.
  stops.push(() => supervisor.stop(drain.drainedNow() ? 'clean' : (opts.birdStop ?? 'graceful-restart')))
  stops.push(detachRestarts)

  const datastore = new DatastoreLink({
    settings,
    ...(opts.reloadSettings !== undefined && { reloadSettings: opts.reloadSettings }),
    ...(opts.takeStartupListing !== undefined && { takeStartupListing: opts.takeStartupListing }),
    log,
    onSnapshot: (s) => {
      health.setDatastoreRevision(s.revision)
      reconciler.submit(s)
    },
    onStatus: (s) => health.setSyncStatus(s),
    onConnected: (store) => {
      const reporter = new NodeStatusReporter({ store, nodeName, birds, log })
      reporter.start()
      return reporter
    },
  })
  await datastore.start()
  stops.push(() => datastore.stop())

  const poller = new BirdPoller({ birds, intervalMs: POLL_MS, onSample: (family, sample) => health.setBirdState(family, sample), log })
  poller.start()
  stops.push(() => poller.stop())
}

function recordApplies(
  health: Health,
  r: { readonly v4?: ApplyOutcome; readonly v6?: ApplyOutcome },
  /** The snapshot's revision, when the whole run completed. */
  revision?: number,
): void {
  for (const [family, outcome] of [[4, r.v4], [6, r.v6]] as const) {
    if (outcome === undefined) continue
    if (revision !== undefined && outcome.result !== 'rejected') health.setAppliedRevision(family, revision)
    if (outcome.result === 'unchanged') continue
    if (outcome.result === 'applied') health.recordApply({ family, ok: true, seconds: outcome.seconds })
    else health.recordApply({ family, ok: false, seconds: outcome.seconds, failedStage: outcome.error.stage })
  }
}

/** True when `p` (which never rejects) resolved within `ms`; false when it is still pending. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([p.then(() => true as const), late])
  } finally {
    clearTimeout(timer)
  }
}

function abortion(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
