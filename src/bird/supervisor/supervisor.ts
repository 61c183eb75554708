import { EventEmitter } from 'node:events'
import { silentLogger, type Logger } from '../../log.js'
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js'
import type { BirdDaemonName, BirdDaemonSpec } from './daemons.js'
import { ManagedDaemon, type StopMode } from './managed-daemon.js'
import { ObservedDaemon, type SocketProbe } from './observed-daemon.js'
import { controlSocketProbe } from './socket-probe.js'
import type { DaemonExit, DaemonState, SupervisorEvents } from './state.js'

interface CommonOptions {
  readonly daemons: readonly BirdDaemonSpec[]
  readonly log?: Logger
  /** Unmanaged: how often the control socket is probed (default 2 s). */
  readonly probeIntervalMs?: number
}

/** The supervisor starts BIRD itself, as children of the agent. */
export interface ManagedOptions extends CommonOptions {
  readonly manage: true
  /** Command prefix, e.g. `['ip', 'netns', 'exec', NS]`; it must exec so the pid stays BIRD's. */
  readonly wrap?: readonly string[]
  readonly backoff?: Partial<BackoffPolicy>
  /** SIGTERM → SIGKILL delay on stop (default 10 s). */
  readonly stopGraceMs?: number
  /**
   * How often a missing config file is looked for (default 100 ms). Only polled until the
   * first config exists; at 1 s it cost a cold start half a second on average (bench/).
   */
  readonly configPollMs?: number
}

/** Another unit runs BIRD: the supervisor only watches its control socket. */
export interface UnmanagedOptions extends CommonOptions {
  readonly manage: false
  /** Default: `show status` on a fresh connection, 5 s timeout. */
  readonly probe?: SocketProbe
}

export type BirdSupervisorOptions = ManagedOptions | UnmanagedOptions

type Daemon = ManagedDaemon | ObservedDaemon

/**
 * bird and bird6 for the agent: started once their configs exist, restarted with backoff,
 * stopped cleanly; or, with `manage: false`, only observed. Emits `started` and `exited`.
 */
export class BirdSupervisor extends EventEmitter<SupervisorEvents> {
  readonly manage: boolean
  private readonly daemons: ReadonlyMap<BirdDaemonName, Daemon>
  private readonly stopGraceMs: number

  constructor(opts: BirdSupervisorOptions) {
    super()
    const log = opts.log ?? silentLogger
    this.manage = opts.manage
    this.stopGraceMs = opts.manage ? (opts.stopGraceMs ?? 10_000) : 0
    const names = new Set<BirdDaemonName>()
    const entries = opts.daemons.map((spec): [BirdDaemonName, Daemon] => {
      if (names.has(spec.name)) throw new RangeError(`BIRD daemon ${spec.name} is listed twice`)
      names.add(spec.name)
      const report = {
        started: (pid: number | undefined) => this.emit('started', spec.name, pid),
        exited: (exit: DaemonExit) => this.emit('exited', spec.name, exit),
      }
      const daemon = opts.manage
        ? new ManagedDaemon(spec, {
            wrap: opts.wrap ?? [],
            backoff: { ...DEFAULT_BACKOFF, ...opts.backoff },
            configPollMs: opts.configPollMs ?? 100,
            log,
            report,
          })
        : new ObservedDaemon(spec, { probe: opts.probe ?? controlSocketProbe(), intervalMs: opts.probeIntervalMs ?? 2000, log, report })
      return [spec.name, daemon]
    })
    this.daemons = new Map(entries)
  }

  start(): void {
    for (const d of this.daemons.values()) d.start()
  }

  /** Stops every daemon (managed: see ManagedDaemon.stop for the modes; default clean). */
  async stop(mode: StopMode = 'clean'): Promise<void> {
    await Promise.all([...this.daemons.values()].map((d) => (d instanceof ManagedDaemon ? d.stop(this.stopGraceMs, mode) : d.stop())))
  }

  state(name: BirdDaemonName): DaemonState | undefined {
    return this.daemons.get(name)?.state()
  }

  states(): Partial<Record<BirdDaemonName, DaemonState>> {
    return Object.fromEntries([...this.daemons].map(([name, d]) => [name, d.state()]))
  }
}
