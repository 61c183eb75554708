import { readFile } from 'node:fs/promises'
import type { Logger } from '../../log.js'
import type { BirdDaemonSpec } from './daemons.js'
import { INITIAL_STATE, type DaemonReporter, type DaemonState } from './state.js'
import { pause } from './wait.js'

/** True when a BIRD answers on the control socket at `socketPath`. */
export type SocketProbe = (socketPath: string) => Promise<boolean>

export interface ObservedDaemonOptions {
  readonly probe: SocketProbe
  readonly intervalMs: number
  readonly log: Logger
  readonly report: DaemonReporter
}

/**
 * A BIRD that another unit starts (manage: false): never spawned, never signalled. Its
 * state is whatever the control socket says; a daemon that answers again after having
 * gone silent counts as a restart.
 */
export class ObservedDaemon {
  private current: DaemonState = INITIAL_STATE
  private everUp = false
  private loop: Promise<void> | undefined
  private inFlight: Promise<DaemonState> | undefined
  private readonly stopping = new AbortController()

  constructor(
    readonly spec: BirdDaemonSpec,
    private readonly opts: ObservedDaemonOptions,
  ) {}

  state(): DaemonState {
    return this.current
  }

  start(): void {
    this.loop ??= this.run()
  }

  async stop(): Promise<void> {
    this.stopping.abort()
    await this.loop
  }

  /** One probe now, outside the polling rhythm (used at start and by callers that need fresh state). */
  refresh(): Promise<DaemonState> {
    // One probe at a time, so a transition is never reported twice.
    this.inFlight ??= this.probeOnce().finally(() => {
      this.inFlight = undefined
    })
    return this.inFlight
  }

  private async probeOnce(): Promise<DaemonState> {
    const up = await (this.spec.probe ?? this.opts.probe)(this.spec.socket).catch(() => false)
    if (up && !this.current.running) {
      const pid = await readPid(this.spec.pidFile)
      const restarts = this.everUp ? this.current.restarts + 1 : this.current.restarts
      this.everUp = true
      this.current = { ...this.current, running: true, pid, restarts }
      this.opts.log.info({ daemon: this.spec.name, pid }, 'BIRD (managed elsewhere) answers its control socket')
      this.opts.report.started(pid)
    } else if (!up && this.current.running) {
      const exit = { code: null, signal: null, at: new Date().toISOString() }
      this.current = { running: false, restarts: this.current.restarts, lastExit: exit }
      this.opts.log.warn({ daemon: this.spec.name, socket: this.spec.socket }, 'BIRD (managed elsewhere) stopped answering')
      this.opts.report.exited(exit)
    }
    return this.current
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal
    while (!signal.aborted) {
      await this.refresh()
      if (!(await pause(this.opts.intervalMs, signal))) return
    }
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}
