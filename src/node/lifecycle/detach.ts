import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdir, open, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { LaunchPlan } from '../startup/launch-plan.js'
import type { Say } from '../startup/say.js'
import { runningAgent } from './agent-process.js'
import { LifecycleError } from './errors.js'
import { READY_LINE } from './foreground.js'

/**
 * `node run` without --init-system: start `node run --init-system` in its own session with
 * its output appended to the log file, echo the operator lines it prints, and return once
 * it says it is ready (as calicoctl followed calico/node's log until "Calico node started
 * successfully"). If it exits first, the end of its log is shown and the start fails.
 */

export interface DetachOptions {
  readonly plan: LaunchPlan
  readonly say: Say
  /** How long the agent gets to become ready. */
  readonly readyTimeoutMs: number
  readonly pollMs?: number
}

export const DEFAULT_READY_TIMEOUT_MS = 30_000

const TAIL_LINES = 20

export async function startDetached(o: DetachOptions): Promise<number> {
  const { plan, say } = o
  const other = await runningAgent(plan.pidFile)
  if (other !== undefined) {
    throw new LifecycleError(`A falconer agent is already running on this host (pid ${other}). Stop it first with 'falconer node stop'.`)
  }
  await mkdir(dirname(plan.logFile), { recursive: true })
  const offset = await sizeOf(plan.logFile)
  const fd = openSync(plan.logFile, 'a', 0o640)
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let spawnError: Error | undefined
  let pid: number | undefined
  try {
    const child = spawn(plan.execPath, [...plan.args], {
      env: { ...plan.env },
      cwd: '/',
      detached: true,
      stdio: ['ignore', fd, fd],
    })
    child.on('error', (err) => {
      spawnError = err
    })
    child.on('exit', (code, signal) => {
      exit = { code, signal }
    })
    child.unref()
    pid = child.pid
  } finally {
    closeSync(fd)
  }
  say(`Started the falconer agent (pid ${pid ?? '?'}); log: ${plan.logFile}`)

  const reader = new LineReader(plan.logFile, offset)
  const deadline = Date.now() + o.readyTimeoutMs
  for (;;) {
    const finished = exit !== undefined || spawnError !== undefined
    for (const line of await reader.newLines(finished)) {
      // The agent's structured log records (JSON) stay in the file; the operator lines are echoed.
      if (line.startsWith('{')) continue
      say(line)
      if (line === READY_LINE) return pid ?? 0
    }
    if (spawnError !== undefined) throw new LifecycleError(`Could not start the falconer agent: ${spawnError.message}`)
    if (finished) {
      const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with status ${exit?.code ?? '?'}`
      say(`Last lines of ${plan.logFile}:`)
      for (const line of reader.tail(TAIL_LINES)) say(`  ${line}`)
      throw new LifecycleError(`The falconer agent ${how} before it was ready; see ${plan.logFile}`)
    }
    if (Date.now() >= deadline) {
      throw new LifecycleError(
        `The falconer agent (pid ${pid}) did not report ready within ${o.readyTimeoutMs / 1000}s; it keeps running. ` +
          `See ${plan.logFile}, or stop it with 'falconer node stop'.`,
      )
    }
    await sleep(o.pollMs ?? 100)
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size
  } catch {
    return 0
  }
}

/** Follows a file from an offset, handing out complete lines (and keeping them for a tail). */
class LineReader {
  private partial = ''
  private readonly seen: string[] = []

  constructor(
    private readonly file: string,
    private offset: number,
  ) {}

  /** `flush`: the writer is gone, so a last line without a newline is complete too. */
  async newLines(flush: boolean): Promise<string[]> {
    const handle = await open(this.file, 'r')
    try {
      const size = (await handle.stat()).size
      if (size > this.offset) {
        const buf = Buffer.alloc(size - this.offset)
        const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset)
        this.offset += bytesRead
        this.partial += buf.subarray(0, bytesRead).toString('utf8')
      }
    } finally {
      await handle.close()
    }
    const parts = this.partial.split('\n')
    this.partial = parts.pop() ?? ''
    if (flush && this.partial !== '') {
      parts.push(this.partial)
      this.partial = ''
    }
    this.seen.push(...parts)
    return parts
  }

  tail(n: number): string[] {
    return this.seen.slice(-n)
  }
}
