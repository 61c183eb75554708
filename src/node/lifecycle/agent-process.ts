import { readFileSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { writeFileAtomic } from '../../fs/atomic-file.js'

/**
 * The local agent is found through its pid file (settings.paths.agentPid), written by
 * `node run --init-system` itself. A pid file can outlive its process and a pid can be
 * reused, so "running" means: the file names a live process whose command line is
 * falconer's.
 */

/** The pid in the file, or undefined when there is no file or it holds no pid. */
export async function readPidFile(file: string): Promise<number | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  const m = /^\s*(\d+)\s*$/.exec(text)
  const pid = m ? Number(m[1]) : NaN
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined
}

export async function writePidFile(file: string, pid: number): Promise<void> {
  await writeFileAtomic(file, `${pid}\n`)
}

/** Removes the file only while it still names `pid` (a newer agent may have replaced it). */
export async function removePidFile(file: string, pid: number): Promise<void> {
  if ((await readPidFile(file)) === pid) await rm(file, { force: true })
}

/** Alive and not a zombie (a zombie has exited; only its parent has not reaped it yet). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) S …": the state follows the last ')' (comm may contain spaces and parens).
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** Whether the process's command line is falconer's (guards against a reused pid). */
export function isFalconer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('falconer')
  } catch {
    return false
  }
}

/** The pid of the running local agent, or undefined. */
export async function runningAgent(pidFile: string): Promise<number | undefined> {
  const pid = await readPidFile(pidFile)
  return pid !== undefined && isAlive(pid) && isFalconer(pid) ? pid : undefined
}

/** Polls until the process is gone; false when it is still there after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false
    await sleep(intervalMs)
  }
  return true
}
