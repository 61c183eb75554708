import { execFile } from 'node:child_process'
import { silentLogger, type Logger } from '../../log.js'

/**
 * The systemd notify protocol (sd_notify) for `node run --init-system` under
 * `Type=notify`: READY=1 once the first config is applied, WATCHDOG=1 while the agent is
 * alive, STOPPING=1 on the way down.
 *
 * The datagrams go out through `systemd-notify` rather than from this process: the
 * protocol needs an AF_UNIX SOCK_DGRAM socket, which Node's `dgram` and `net` cannot open,
 * and a native addon would tie the package to one architecture and Node ABI. The unit
 * therefore says `NotifyAccess=all` (the sender is a child in the service's cgroup).
 * systemd-notify waits until systemd has processed the message (a BARRIER), so the
 * short-lived child is still there when systemd attributes it to the unit. A spawn costs a
 * few milliseconds, and the agent sends one READY, one STOPPING and a ping every half
 * watchdog period: nothing next to a BGP agent's own work.
 */
export interface SdNotifyOptions {
  /** Process environment: NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID. */
  readonly env?: NodeJS.ProcessEnv
  readonly log?: Logger
  /** The systemd-notify binary; default found in PATH. */
  readonly command?: string
  /** This process's pid, to match WATCHDOG_PID (default process.pid). */
  readonly pid?: number
}

export class SdNotifier {
  /** false without NOTIFY_SOCKET (not started by systemd, or not Type=notify): every call is a no-op. */
  readonly enabled: boolean
  /** Half the watchdog period systemd asked for, or undefined when it asked for none. */
  readonly watchdogIntervalMs: number | undefined
  private readonly env: NodeJS.ProcessEnv
  private readonly log: Logger
  private readonly command: string
  private timer: NodeJS.Timeout | undefined
  private pending: Promise<void> = Promise.resolve()
  private warned = false

  constructor(opts: SdNotifyOptions = {}) {
    this.env = opts.env ?? process.env
    this.log = opts.log ?? silentLogger
    this.command = opts.command ?? 'systemd-notify'
    this.enabled = !!this.env.NOTIFY_SOCKET
    this.watchdogIntervalMs = this.enabled ? watchdogInterval(this.env, opts.pid ?? process.pid) : undefined
  }

  ready(status: string): Promise<void> {
    return this.send(['READY=1', `STATUS=${status}`])
  }

  stopping(): Promise<void> {
    this.stopWatchdog()
    return this.send(['STOPPING=1', 'STATUS=stopping'])
  }

  /**
   * Pings WATCHDOG=1 every half period while `healthy()` says so. A missed ping is what
   * makes systemd restart a hung agent: an unhealthy agent simply stops pinging.
   */
  startWatchdog(healthy: () => boolean): void {
    if (this.watchdogIntervalMs === undefined || this.timer !== undefined) return
    const ping = () => {
      if (healthy()) void this.send(['WATCHDOG=1'])
      else this.log.warn('agent not live: systemd watchdog not pinged')
    }
    ping()
    this.timer = setInterval(ping, this.watchdogIntervalMs)
    this.timer.unref()
  }

  stopWatchdog(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Resolves once every message sent so far has been handed over (or failed). */
  flushed(): Promise<void> {
    return this.pending
  }

  /** Messages leave in order: each waits for the one before. */
  private send(fields: string[]): Promise<void> {
    if (!this.enabled) return Promise.resolve()
    this.pending = this.pending.then(() => this.spawn(fields))
    return this.pending
  }

  private spawn(fields: string[]): Promise<void> {
    return new Promise((resolve) => {
      execFile(this.command, fields, { env: this.env, timeout: 10_000 }, (err, _stdout, stderr) => {
        if (err && !this.warned) {
          // Once: a host without systemd-notify would otherwise log every watchdog period.
          this.warned = true
          this.log.warn({ err: err.message, stderr: String(stderr).trim(), fields }, 'systemd-notify failed')
        }
        resolve()
      })
    })
  }
}

/** sd_watchdog_enabled(): WATCHDOG_USEC, only for the process WATCHDOG_PID names. */
function watchdogInterval(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC)
  if (!Number.isSafeInteger(usec) || usec <= 0) return undefined
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return undefined
  return Math.max(1, Math.floor(usec / 2_000))
}
