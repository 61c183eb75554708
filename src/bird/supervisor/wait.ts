import { access } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

/** Sleeps, but returns early (false) when `signal` aborts. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false
  try {
    await sleep(ms, undefined, { signal })
    return true
  } catch {
    return false
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

/**
 * Polls until `path` exists (true) or `signal` aborts (false). Polling rather than a
 * watcher: the directory itself may not exist yet, and a second's delay is irrelevant
 * next to rendering the first config.
 */
export async function waitForPath(path: string, intervalMs: number, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    if (await exists(path)) return true
    if (!(await pause(intervalMs, signal))) return false
  }
  return false
}
