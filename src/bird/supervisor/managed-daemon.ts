import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import type { Logger } from '../../log.js'
import { nextBackoff, type BackoffPolicy } from './backoff.js'
import { birdCommand, type BirdDaemonSpec } from './daemons.js'
import { INITIAL_STATE, type DaemonExit, type DaemonReporter, type DaemonState } from './state.js'
import { pause, waitForPath } from './wait.js'

export interface ManagedDaemonOptions {
  readonly wrap: readonly string[]
  readonly backoff: BackoffPolicy
  readonly configPollMs: number
  readonly log: Logger
  readonly report: DaemonReporter
}

/** Invariant 7 in docs/design.md: nobody but root and the socket's group may drive BIRD. */
const SOCKET_MODE = 0o660
const SOCKET_APPEAR_MS = 30_000

/** How BIRD is stopped: see ManagedDaemon.stop. */
export type StopMode = 'clean' | 'graceful-restart'

/**
 * One BIRD daemon run as a foreground child: started once its config exists, restarted
 * with backoff whenever it exits, stopped with SIGTERM (then SIGKILL after a grace period).
 */

export class ManagedDaemon {
  private current: DaemonState = INITIAL_STATE
  private child: ChildProcess | undefined
  private loop: Promise<void> | undefined
  private readonly stopping = new AbortController()

  constructor(
    readonly spec: BirdDaemonSpec,
    private readonly opts: ManagedDaemonOptions,
  ) {}

  state(): DaemonState {
    return this.current
  }

  start(): void {
    this.loop ??= this.run()
  }

  /**
   * `clean`: SIGTERM, wait `graceMs`, SIGKILL. `graceful-restart`: SIGKILL at once, so BIRD
   * sends no Cease NOTIFICATION (RFC 4724: a NOTIFICATION ends graceful restart) and peers
   * keep our routes for the restart time while the agent comes back; kernel routes stay
   * (`persist`). Either way a socket and pid file left behind are removed.
   */
  async stop(graceMs: number, mode: StopMode = 'clean'): Promise<void> {
    this.stopping.abort()
    const child = this.child
    if (child !== undefined && isAlive(child)) {
      const exited = waitExit(child)
      child.kill(mode === 'clean' ? 'SIGTERM' : 'SIGKILL')
      if (mode === 'clean' && !(await within(exited, graceMs))) {
        this.opts.log.warn({ daemon: this.spec.name, pid: child.pid, graceMs }, 'BIRD did not stop on SIGTERM; sending SIGKILL')
        child.kill('SIGKILL')
      }
      await exited
    }
    await this.loop
    // BIRD removes both on SIGTERM; after SIGKILL (or a crash) they are stale.
    await rm(this.spec.socket, { force: true })
    await rm(this.spec.pidFile, { force: true })
  }

  private async run(): Promise<void> {
    const { log, backoff, configPollMs } = this.opts
    const signal = this.stopping.signal
    let streak = 0
    let everStarted = false
    while (!signal.aborted) {
      if (!(await awaitConfig(this.spec.config, configPollMs, signal, log, this.spec.name))) return
      if (everStarted) this.current = { ...this.current, restarts: this.current.restarts + 1 }
      const startedAt = Date.now()
      const exit = await this.runOnce(everStarted)
      everStarted ||= exit.error === undefined
      if (signal.aborted) return
      const step = nextBackoff(backoff, streak, Date.now() - startedAt)
      streak = step.streak
      log.warn({ daemon: this.spec.name, exit, retryInMs: step.delayMs }, `${daemonKind(this.spec)} exited; restarting`)
      if (!(await pause(step.delayMs, signal))) return
    }
  }

  /** Spawns the daemon and resolves when it has exited (or failed to start). */
  private async runOnce(restart: boolean): Promise<DaemonExit> {
    const { spec, opts } = this
    await mkdir(dirname(spec.socket), { recursive: true })
    await mkdir(dirname(spec.pidFile), { recursive: true })
    if (this.stopping.signal.aborted) return { code: null, signal: null, at: now(), error: 'stopped before start' }
    if (spec.removeStaleSocket === true) await rm(spec.socket, { force: true })
    const { file, args } = birdCommand(spec, opts.wrap, restart)
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    forwardOutput(child, opts.log.child({ daemon: spec.name }))

    return new Promise<DaemonExit>((resolve) => {
      let spawned = false
      let settled = false
      // 'exit' may or may not follow an 'error'; the run ends once.
      const settle = (exit: DaemonExit) => {
        if (settled) return
        settled = true
        this.finish(exit, resolve)
      }
      child.once('spawn', () => {
        spawned = true
        this.current = { ...this.current, running: true, pid: child.pid }
        opts.log.info({ daemon: spec.name, pid: child.pid, config: spec.config }, `${daemonKind(spec)} started`)
        // Written before anyone is told, so a reload that follows finds the pid.
        if (spec.supervisorWritesPid === true && child.pid !== undefined) void writePid(spec.pidFile, child.pid, opts.log).then(() => opts.report.started(child.pid))
        else opts.report.started(child.pid)
        void secureSocket(spec.socket, this.stopping.signal, opts.log)
      })
      child.on('error', (err) => {
        // After 'spawn', an error is a failed kill(); 'exit' still ends the run.
        if (!spawned) settle({ code: null, signal: null, at: now(), error: err.message })
        else opts.log.warn({ daemon: spec.name, err: err.message }, 'BIRD child process error')
      })
      child.once('exit', (code, signal) => settle({ code, signal, at: now() }))
    })
  }

  private finish(exit: DaemonExit, resolve: (exit: DaemonExit) => void): void {
    this.current = { running: false, restarts: this.current.restarts, lastExit: exit }
    this.opts.report.exited(exit)
    resolve(exit)
  }
}

async function awaitConfig(path: string, pollMs: number, signal: AbortSignal, log: Logger, name: string): Promise<boolean> {
  const ready = waitForPath(path, pollMs, signal)
  // Said only when the wait is noticeable, however fast the file is polled for.
  const logged = setTimeout(() => log.info({ daemon: name, config: path }, 'waiting for the BIRD config file before starting'), Math.max(pollMs, 1_000))
  try {
    return await ready
  } finally {
    clearTimeout(logged)
  }
}

async function secureSocket(socket: string, signal: AbortSignal, log: Logger): Promise<void> {
  if (!(await waitForPath(socket, 100, AbortSignal.any([signal, AbortSignal.timeout(SOCKET_APPEAR_MS)])))) return
  try {
    await chmod(socket, SOCKET_MODE)
  } catch (err) {
    log.warn({ socket, err: (err as Error).message }, 'cannot restrict the BIRD control socket permissions')
  }
}

function forwardOutput(child: ChildProcess, log: Logger): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue
    createInterface({ input: stream }).on('line', (line) => {
      if (line.trim() !== '') log.info({ bird: line }, 'BIRD output')
    })
  }
}

/** How logs name the daemon: BIRD's messages stay as they were. */
function daemonKind(spec: BirdDaemonSpec): string {
  return spec.name === 'gobgpd' ? 'gobgpd' : 'BIRD'
}

async function writePid(file: string, pid: number, log: Logger): Promise<void> {
  try {
    await writeFile(file, `${pid}\n`, { mode: 0o644 })
  } catch (err) {
    log.warn({ pidFile: file, err: (err as Error).message }, 'cannot write the daemon pid file')
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

function waitExit(child: ChildProcess): Promise<void> {
  if (!isAlive(child)) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function within(p: Promise<void>, ms: number): Promise<boolean> {
  const ac = new AbortController()
  try {
    return await Promise.race([p.then(() => true), pause(ms, ac.signal).then(() => false)])
  } finally {
    ac.abort()
  }
}

function now(): string {
  return new Date().toISOString()
}
