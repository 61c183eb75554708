import type { AgentOptions } from '../phases/agent.js'
import type { CliOptions } from '../phases/cli.js'
import type { ParseOptions } from '../phases/parse.js'
import type { RenderOptions } from '../phases/render.js'
import { CLIENT_INDEX } from '../datastore/synthetic.js'
import { BENCH_BACKENDS, parseBackends, type BenchBackend } from './backends.js'

export const PHASES = ['cli', 'render', 'parse', 'agent'] as const
export type PhaseName = (typeof PHASES)[number]

export interface BenchConfig {
  readonly mode: 'full' | 'smoke'
  readonly render: RenderOptions
  readonly parse: ParseOptions
  readonly agent: AgentOptions
  readonly cli: CliOptions
}

/** The sizes the issue asks for. */
export const FULL: BenchConfig = {
  mode: 'full',
  render: { sizes: [100, 1_000, 5_000], fullRuns: 6, changeRuns: 21, backends: BENCH_BACKENDS },
  parse: { routes: 1_000_000, repeats: 3, backends: parseBackends(BENCH_BACKENDS) },
  agent: {
    backends: BENCH_BACKENDS,
    convergeNodes: 1_000,
    changes: 200,
    pollMs: 2,
    settleMs: 100,
    footprintSeconds: 30,
    statusPeriodSeconds: 10,
    coldNodes: 5_000,
    coldRuns: 3,
    device: 'eth0',
    clientIndex: CLIENT_INDEX,
  },
  cli: { runs: 11, nodes: 1_000, peers: 10 },
}

/**
 * Tiny sizes that still take every path (mesh and route reflectors, both replies, the
 * real agent with etcd and BIRD): proves the benchmarks run, in well under a minute.
 */
export const SMOKE: BenchConfig = {
  mode: 'smoke',
  render: { sizes: [20, 250], fullRuns: 2, changeRuns: 3, backends: BENCH_BACKENDS },
  parse: { routes: 20_000, repeats: 1, backends: parseBackends(BENCH_BACKENDS) },
  agent: {
    backends: BENCH_BACKENDS,
    convergeNodes: 30,
    changes: 5,
    pollMs: 2,
    settleMs: 20,
    footprintSeconds: 2,
    statusPeriodSeconds: 1,
    coldNodes: 250,
    coldRuns: 1,
    device: 'eth0',
    clientIndex: CLIENT_INDEX,
  },
  cli: { runs: 3, nodes: 20, peers: 3 },
}

export interface Args {
  readonly config: BenchConfig
  readonly phases: readonly PhaseName[]
  readonly out: string | undefined
  readonly writeReadme: boolean
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const USAGE = `usage: npm run bench [-- OPTIONS]
  --smoke            tiny sizes (< 1 min): proves every benchmark runs; results go to bench/results/tmp/
  --only=a,b         run only these phases: ${PHASES.join(', ')}
  --out=FILE         write the JSON result here (default bench/results/<date>.json, smoke: bench/results/tmp/)
  --write-readme     put the markdown tables into bench/README.md (between its result markers)
  --set=PATH=N       override one numeric setting, e.g. --set=agent.changes=30 (for diagnosis)
  --backends=a,b     the daemons render, parse and converge measure side by side: ${BENCH_BACKENDS.join(', ')} (default: all;
                     parse reads BIRD replies only, so it leaves gobgp out)
Environment: FALCONER_BENCH_AGENT_NODE_ARGS, node flags for the agent processes
(e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them during the run).
Needs root (network namespaces), bird/birdc, etcd/etcdctl, BIRD 2 unpacked by
scripts/install-bird2.sh (FALCONER_BIRD2_BIN names another BIRD 2 bird), and Debian's
gobgpd (gobgpd + gobgp; FALCONER_GOBGPD_BIN / FALCONER_GOBGP_BIN name others).`

export function parseArgs(argv: readonly string[]): Args {
  let config = FULL
  let phases: PhaseName[] = [...PHASES]
  let out: string | undefined
  let writeReadme = false
  const sets: [string, number][] = []
  let backends: BenchBackend[] | undefined
  for (const arg of argv) {
    if (arg === '--smoke') config = SMOKE
    else if (arg.startsWith('--backends=')) {
      const names = arg.slice('--backends='.length).split(',').filter((n) => n !== '')
      for (const n of names) if (!(BENCH_BACKENDS as readonly string[]).includes(n)) throw new UsageError(`unknown backend "${n}" (known: ${BENCH_BACKENDS.join(', ')})`)
      if (names.length === 0) throw new UsageError('--backends= names no backend')
      backends = BENCH_BACKENDS.filter((b) => names.includes(b))
    }
    else if (arg.startsWith('--set=')) {
      const m = /^--set=([a-zA-Z]+)\.([a-zA-Z]+)=(\d+(?:\.\d+)?)$/.exec(arg)
      if (m === null) throw new UsageError(`"${arg}": expected --set=PHASE.SETTING=NUMBER`)
      sets.push([`${m[1]}.${m[2]}`, Number(m[3])])
    }
    else if (arg === '--write-readme') writeReadme = true
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length)
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',').filter((n) => n !== '')
      for (const n of names) if (!(PHASES as readonly string[]).includes(n)) throw new UsageError(`unknown phase "${n}"`)
      phases = PHASES.filter((p) => names.includes(p))
    } else if (arg === '--help' || arg === '-h') throw new UsageError('')
    else throw new UsageError(`unknown option "${arg}"`)
  }
  for (const [path, value] of sets) config = withSetting(config, path, value)
  if (backends !== undefined) {
    config = { ...config, render: { ...config.render, backends }, parse: { ...config.parse, backends: parseBackends(backends) }, agent: { ...config.agent, backends } }
  }
  return { config, phases, out, writeReadme }
}

function withSetting(config: BenchConfig, path: string, value: number): BenchConfig {
  const [phase, key] = path.split('.') as [string, string]
  const section = (config as unknown as Record<string, Record<string, unknown>>)[phase]
  if (section === undefined || typeof section[key] !== 'number') throw new UsageError(`--set: no numeric setting ${path}`)
  return { ...config, [phase]: { ...section, [key]: value } }
}
