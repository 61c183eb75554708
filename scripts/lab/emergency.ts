import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Synchronous last-resort cleanup, for when there is no time to tear down in order: the
 * test runner gives a timed-out file half a second between SIGALRM and SIGKILL, and an
 * `exit` handler cannot wait for anything. Every process in the namespace is SIGKILLed by
 * PID, then the namespace is deleted. BIRD's kernel routes die with the namespace.
 *
 * The /etc/netns and owner-record paths are those test/helpers/netns.ts uses.
 */
const NETNS_ETC = '/etc/netns'
const OWNER_DIR = '/run/falconer-netns'

export function forceRemoveNetnsSync(name: string): void {
  let pids: number[] = []
  try {
    pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 2_000, stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number)
  } catch {
    // Namespace already gone.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already exited.
    }
  }
  try {
    execFileSync('ip', ['netns', 'delete', name], { timeout: 2_000, stdio: 'ignore' })
  } catch {
    // Already gone.
  }
  rmSync(join(NETNS_ETC, name), { recursive: true, force: true })
  rmSync(join(OWNER_DIR, name), { force: true })
}

/**
 * `rm -rf DIR`, retried for a moment: a process killed an instant ago may still be on its
 * way out (a file it held, a directory it was filling). Never throws: this runs in signal
 * and exit handlers, where an exception would end the cleanup half way.
 */
export function removeDirSync(dir: string): void {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true })
      return
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
    }
  }
  process.stderr.write(`lab: could not remove ${dir}\n`)
}
