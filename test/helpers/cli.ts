import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

/**
 * Runs the built CLI (`node bin/falconer …`) as a separate process, the way an operator
 * does, and returns what it printed. Never rejects: the exit code is part of the result.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The repository's launcher, which runs the build in dist/. */
export const CLI_BIN = join(REPO_ROOT, 'bin/falconer')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** Wall time of the process, for bounds like "fails within the datastore timeout". */
  readonly durationMs: number
}

export interface RunCliOptions {
  /** Added to (and overriding) the test process's environment, e.g. the etcd harness's `env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Written to the CLI's stdin (for `-f -`). */
  readonly input?: string
  /** The process is killed after this long; generous, a loaded CI machine is slow. */
  readonly timeoutMs?: number
  /** The launcher to run; default the repository's bin/falconer (see privateBuild). */
  readonly bin?: string
}

export async function runCli(args: readonly string[], opts: RunCliOptions = {}): Promise<CliResult> {
  const started = Date.now()
  const result = await execa('node', [opts.bin ?? CLI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...opts.env },
    extendEnv: true,
    reject: false,
    stripFinalNewline: false,
    timeout: opts.timeoutMs ?? 60_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
  })
  return {
    code: result.exitCode ?? (result.timedOut ? -1 : 1),
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: Date.now() - started,
  }
}

/** The part of a tap test the helpers need. */
export interface TeardownHost {
  teardown(fn: () => unknown): void
}

/**
 * Builds the shared dist/ with `tsc -p tsconfig.json` when any source is newer than the
 * built CLI, for tests that run the repository's bin/falconer. Concurrent test files take
 * turns through a lock directory instead of writing dist/ at the same time.
 */
export async function ensureBuilt(): Promise<void> {
  // Inside dist/ (git-ignored), so a lock left by a killed run never shows up as a change.
  mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true })
  const lock = join(REPO_ROOT, 'dist', '.build-lock')
  const deadline = Date.now() + 300_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      // A lock older than the deadline was left by a killed run.
      if (Date.now() - statSync(lock).mtimeMs > 300_000) rmdirSync(lock)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`)
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  try {
    const built = join(REPO_ROOT, 'dist/cli/main.js')
    if (newestSource(join(REPO_ROOT, 'src')) > mtime(built)) {
      await execa('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO_ROOT, reject: false, timeout: 280_000 })
      // What `npm run build` adds after tsc: the commit `falconer version` reports.
      await execa('node', ['scripts/build-info.mjs'], { cwd: REPO_ROOT, reject: false, timeout: 60_000 })
    }
    if (mtime(built) === 0) throw new Error('tsc did not produce dist/cli/main.js')
  } finally {
    rmdirSync(lock)
  }
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path))
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, mtime(path))
  }
  return newest
}
