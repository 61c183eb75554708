import { rmSync } from 'node:fs'

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
