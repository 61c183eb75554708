import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TeardownHost } from '../../test/helpers/netns.js'
import type { PhaseResult } from './phase.js'
import { phaseScript } from './paths.js'
import { alive, signalPid } from './proc.js'

export class PhaseFailedError extends Error {
  override readonly name = 'PhaseFailedError'
  constructor(
    readonly phase: string,
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(`benchmark phase ${phase} failed (${signal ?? `exit ${code}`})`)
  }
}

export interface ChildOptions {
  /** Flags for node itself, e.g. --expose-gc. */
  readonly nodeArgs?: readonly string[]
  /** A command the node process runs under, e.g. ['ip', 'netns', 'exec', NAME] (it execs, the PID stays). */
  readonly wrap?: readonly string[]
}

/**
 * Runs phases/NAME.js in a process of its own group (a Ctrl-C at the terminal reaches only
 * the runner, which then stops the phase in order) and resolves with its result. The
 * child is stopped by PID on teardown if it is still running (SIGTERM, then SIGKILL).
 */
export async function runChildPhase<O>(t: TeardownHost, name: string, opts: O, child: ChildOptions = {}): Promise<PhaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fa-bench-result-'))
  const resultFile = join(dir, 'result.json')
  try {
    const argv = [...(child.wrap ?? []), process.execPath, ...(child.nodeArgs ?? []), phaseScript(name), JSON.stringify(opts), resultFile]
    const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], detached: true })
    const stop = stopper(proc)
    t.teardown(stop)
    const [code, signal] = await exited(proc)
    if (code !== 0) throw new PhaseFailedError(name, code, signal)
    return JSON.parse(readFileSync(resultFile, 'utf8')) as PhaseResult
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function exited(proc: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve([proc.exitCode, proc.signalCode])
    proc.once('exit', (code, signal) => resolve([code, signal]))
    proc.once('error', () => resolve([proc.exitCode ?? -1, proc.signalCode]))
  })
}

/** SIGTERM by PID, SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopper(proc: ChildProcess, graceMs = 20_000): () => Promise<void> {
  return async () => {
    const pid = proc.pid
    if (pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return
    const done = exited(proc)
    signalPid(pid, 'SIGTERM')
    const timer = setTimeout(() => {
      if (alive(pid)) signalPid(pid, 'SIGKILL')
    }, graceMs)
    await done
    clearTimeout(timer)
  }
}
