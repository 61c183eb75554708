import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Tracked files when this is a git checkout; otherwise every file but build output. */
export function repositoryFiles(root: string): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter((f) => f !== '')
  } catch {
    const out: string[] = []
    const walk = (dir: string): void => {
      for (const name of readdirSync(join(root, dir))) {
        if (['.git', 'node_modules', 'dist', 'dist-test', '.tap'].includes(name)) continue
        const rel = dir === '' ? name : `${dir}/${name}`
        if (statSync(join(root, rel)).isDirectory()) walk(rel)
        else out.push(rel)
      }
    }
    walk('')
    return out
  }
}
