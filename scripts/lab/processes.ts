import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import type { Netns } from '../../test/helpers/netns.js'
import { pollUntil } from '../../test/helpers/netns.js'

/**
 * Long-running lab processes (etcd, gobgpd, agents) started inside a namespace with
 * `ip netns exec` (which execs, so the PID is the program's own). Each one:
 *  - writes stdout and stderr to its own log file (the lab prints them when something fails);
 *  - runs in its own process group, so a Ctrl-C at the terminal reaches the lab runner only,
 *    which then tears everything down in order;
 *  - is unref'd, so it never keeps the lab's (or a test's) event loop alive: teardown stops it.
 * Stopping is by PID, checked against the process's start time so a reused PID is never hit.
 */

export interface ProcessRecord {
  readonly label: string
  readonly pid: number
  /** /proc/PID/stat field 22, to tell the process from a later one with the same PID. */
  readonly startTime: string
  readonly log: string
}

export interface StartOptions {
  readonly label: string
  readonly ns: Netns
  readonly cmd: string
  readonly args: readonly string[]
  readonly log: string
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

export class LabProcessError extends Error {
  override readonly name = 'LabProcessError'
}

export class LabProcess {
  #exited = false

  private constructor(readonly record: ProcessRecord) {}

  static async start(o: StartOptions): Promise<LabProcess> {
    const fd = openSync(o.log, 'a')
    let child
    try {
      child = spawn('ip', ['netns', 'exec', o.ns.name, o.cmd, ...o.args], {
        detached: true,
        stdio: ['ignore', fd, fd],
        ...(o.env && { env: o.env }),
        ...(o.cwd && { cwd: o.cwd }),
      })
    } finally {
      closeSync(fd)
    }
    const pid = child.pid
    if (pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve))
      throw new LabProcessError(`${o.label}: cannot start \`${o.cmd}\`: ${err.message}`)
    }
    child.unref()
    const startTime = await pollUntil(`${o.label} (pid ${pid}) to appear in /proc`, () => startTimeOf(pid), { timeoutMs: 5_000, intervalMs: 10 })
    const p = new LabProcess({ label: o.label, pid, startTime, log: o.log })
    child.once('exit', () => {
      p.#exited = true
    })
    return p
  }

  /** A process started earlier (by another lab runner), known only by its record. */
  static adopt(record: ProcessRecord): LabProcess {
    return new LabProcess(record)
  }

  get pid(): number {
    return this.record.pid
  }

  alive(): boolean {
    return !this.#exited && startTimeOf(this.record.pid) === this.record.startTime && !isZombie(this.record.pid)
  }

  /** Sends a signal if the process is still the one started; false when it was gone. */
  signal(sig: NodeJS.Signals): boolean {
    if (!this.alive()) return false
    try {
      process.kill(this.record.pid, sig)
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
      throw err
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.signal('SIGTERM')) return
    try {
      await this.waitExit(graceMs)
    } catch {
      this.signal('SIGKILL')
      await this.waitExit(10_000)
    }
  }

  async waitExit(timeoutMs: number): Promise<void> {
    await pollUntil(`${this.record.label} (pid ${this.record.pid}) to exit`, () => !this.alive(), { timeoutMs, intervalMs: 50 })
  }

  /** The end of the log file, for failure messages. */
  logTail(lines = 40): string {
    return tailOf(this.record.log, lines)
  }
}

export function tailOf(file: string, lines = 40): string {
  try {
    const text = readFileSync(file, 'utf8')
    return text.split('\n').slice(-lines - 1).join('\n')
  } catch {
    return `(no log at ${file})`
  }
}

export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}
