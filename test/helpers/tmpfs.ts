import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import type { TeardownHost } from './netns.js'

const run = promisify(execFile)

/**
 * A small tmpfs for tests that need a full disk. The mount is made private (no
 * propagation to or from other mount namespaces), its source names the test process
 * (`falconer-tmpfs-PID`), and it is unmounted at teardown — also when the test fails. A
 * mount left by a test process that died is removed by `removeStaleTmpfs` at the next start.
 */
export async function mountSmallTmpfs(t: TeardownHost, dir: string, sizeBytes: number): Promise<void> {
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, `${SOURCE_PREFIX}${process.pid}`, dir])
  t.teardown(() => unmount(dir))
  await run('mount', ['--make-private', dir])
}

const SOURCE_PREFIX = 'falconer-tmpfs-'

async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir])
  } catch {
    // something still holds a file there (a BIRD being stopped): detach it now, freed when released
    await run('umount', ['-l', dir]).catch((err: Error) => process.stderr.write(`tmpfs: umount ${dir} failed: ${err.message}\n`))
  }
}

/** Unmounts this helper's tmpfs mounts whose test process is gone. */
export async function removeStaleTmpfs(): Promise<void> {
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
    // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
    const [left, right] = line.split(' - ')
    if (left === undefined || right === undefined) continue
    const [fstype, source] = right.split(' ')
    if (fstype !== 'tmpfs' || !source?.startsWith(SOURCE_PREFIX)) continue
    const pid = Number(source.slice(SOURCE_PREFIX.length))
    if (Number.isInteger(pid) && pid > 0 && (await alive(pid))) continue
    const mountPoint = left.split(' ')[4]
    if (mountPoint !== undefined) await unmount(mountPoint.replace(/\\040/g, ' '))
  }
}

async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
