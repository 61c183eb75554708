import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { BIRD2_BIN } from './backends.js'
import { cpus, loadavg, release, totalmem } from 'node:os'

/** What the figures were measured on: they mean little without it. */
export interface Machine {
  readonly nproc: number
  readonly cpuModel: string
  readonly node: string
  readonly kernel: string
  readonly memoryGiB: number
  readonly bird: string
  /** The BIRD 2 the bird2 columns ran (unpacked by scripts/install-bird2.sh). */
  readonly bird2: string
  /** The gobgpd the GoBGP column ran (older reports lack it). */
  readonly gobgpd?: string
  readonly etcd: string
}

export function describeMachine(): Machine {
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: cpuModel(),
    node: process.version,
    kernel: release(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    bird: versionLine('bird', ['--version']),
    bird2: existsSync(BIRD2_BIN) ? versionLine(BIRD2_BIN, ['--version']) : `BIRD 2 not unpacked at ${BIRD2_BIN}`,
    gobgpd: versionLine(process.env['FALCONER_GOBGPD_BIN'] || 'gobgpd', ['--version']),
    etcd: versionLine('etcd', ['--version']),
  }
}

function cpuModel(): string {
  const fromOs = cpus()[0]?.model
  if (fromOs !== undefined && fromOs !== '') return fromOs.trim()
  const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
  return m?.[1]?.trim() ?? 'unknown'
}

/** The first line a `--version` prints (`bird` prints it on stderr). */
function versionLine(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 })
  return `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? `${cmd}: unknown version`
}

/** The 1-, 5- and 15-minute load averages: the machine is shared, say how busy it was. */
export function loadAverage(): readonly [number, number, number] {
  const [a = 0, b = 0, c = 0] = loadavg()
  return [round2(a), round2(b), round2(c)]
}

const round2 = (x: number): number => Math.round(x * 100) / 100
