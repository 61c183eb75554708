/**
 * Runs `falconer node autodetect` inside a namespace, the way an operator would debug
 * autodetection there: `ip netns exec NS node bin/falconer node autodetect …`. The CLI
 * runs from dist/, so it must be built (npm run build); a stale build fails loudly.
 */
import { existsSync, statSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exec, type ExecResult, type Netns } from '../../helpers/netns.js'
import type { Decision } from '../../../src/node/autodetect/index.js'

export const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const BIN = join(REPO, 'bin', 'falconer')

export interface CliResult {
  readonly method: string
  readonly family: 4 | 6
  readonly address: string
  readonly interface: string
  readonly trace: Decision[]
}

/** Throws unless dist/ holds an up-to-date build of everything autodetection runs. */
export function assertBuilt(): void {
  const sources = [
    'cli/node-autodetect.ts',
    'cli/commands/node-autodetect.ts',
    'cli/commands/node.ts',
    'node/interfaces.ts',
    ...readdirSync(join(REPO, 'src/node/autodetect')).map((f) => `node/autodetect/${f}`),
  ].filter((f) => f.endsWith('.ts'))
  for (const src of sources) {
    const js = join(REPO, 'dist', src.replace(/\.ts$/, '.js'))
    if (!existsSync(js)) throw new Error(`${js} is missing: run \`npm run build\` first`)
    if (statSync(js).mtimeMs < statSync(join(REPO, 'src', src)).mtimeMs) {
      throw new Error(`${js} is older than src/${src}: run \`npm run build\` first`)
    }
  }
}

export function runAutodetect(
  ns: Netns,
  args: readonly string[],
  env?: Record<string, string>,
): Promise<ExecResult> {
  return exec(ns, process.execPath, [BIN, 'node', 'autodetect', ...args], {
    reject: false,
    timeoutMs: 120_000,
    env: { FALCONER_LOG_LEVEL: 'warn', ...env },
  })
}

/** `--method METHOD [--ipv6] -o json`, which must succeed. */
export async function detect(ns: Netns, method: string, family: 4 | 6): Promise<CliResult> {
  const r = await runAutodetect(ns, ['--method', method, ...(family === 6 ? ['--ipv6'] : []), '-o', 'json'])
  if (r.exitCode !== 0) throw new Error(`autodetect ${method} (IPv${family}) exited ${r.exitCode}: ${r.stderr}`)
  return JSON.parse(r.stdout) as CliResult
}

/**
 * Runs `fn` over `items`, at most `limit` at a time, results in input order: each CLI run
 * is a node start-up, mostly waiting on the disk and the other core.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
