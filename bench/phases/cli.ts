/**
 * CLI: what an operator's (or a monitoring loop's) `falconer …` costs, whole process, each
 * command run `runs` times interleaved with its floors in the same run:
 *   node -e 0                    the floor for every row: starting node and exiting
 *   falconer --version, --help   nothing but the command tree
 *   falconer node status         two replayed BIRD sockets (bird + bird6), served here
 *   birdc show protocols all     BIRD's own C client on the same (IPv4) socket
 *   falconer get nodes, config get asNumber   against a private etcd on loopback
 * Wall time is taken around the process; CPU (user + system) and peak RSS come from
 * GNU time (`/usr/bin/time -o FILE`), which wraps every row alike.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Etcd3 } from 'etcd3'
import { startEtcd } from '../../test/helpers/etcd.js'
import { startReplayServer } from '../../test/helpers/replay-server.js'
import { protocolsAllReply, statusReply } from '../cli/bird-replies.js'
import { writePairs } from '../agent/etcd-data.js'
import { storedPairs } from '../datastore/kvs.js'
import { DEFAULT_SPEC, syntheticDatastore } from '../datastore/synthetic.js'
import { exited, stopper } from '../lib/child.js'
import { log, runPhase } from '../lib/phase.js'
import { FALCONER_BIN } from '../lib/paths.js'
import { product } from '../lib/product.js'
import { median, MiB, now, round } from '../lib/stats.js'
import type { TeardownHost } from '../../test/helpers/netns.js'

export interface CliOptions {
  /** Runs of every command (medians are reported); ≥ 7 for the full run. */
  readonly runs: number
  /** Nodes in the datastore that `get nodes` lists. */
  readonly nodes: number
  /** BGP sessions per family on the replayed BIRD sockets of `node status`. */
  readonly peers: number
}

/** One measured row: medians, and every run. */
export interface CliRow {
  readonly key: string
  readonly label: string
  /** The floor this row is compared with (a key of another row), and the goal as a ratio. */
  readonly goal?: { readonly ratio: number; readonly peakMiB?: number }
  readonly wallMs: number
  readonly cpuMs: number
  readonly peakMiB: number
  readonly runs: { readonly wallMs: readonly number[]; readonly cpuMs: readonly number[]; readonly peakMiB: readonly number[] }
}

interface Command {
  readonly key: string
  readonly label: string
  readonly argv: readonly string[]
  readonly env?: Record<string, string>
  readonly goal?: CliRow['goal']
  /** Expected exit status (node status exits 1 when no BIRD answers: that would be a broken setup). */
  readonly code?: number
}

interface Sample {
  readonly wallMs: number
  readonly cpuMs: number
  readonly peakMiB: number
}

runPhase<CliOptions>('cli', async (opts, teardowns) => {
  const p = await product()
  const etcd = await startEtcd(teardowns)
  const client = new Etcd3({ hosts: etcd.endpoint })
  teardowns.teardown(() => client.close())
  const ds = syntheticDatastore({ nodes: opts.nodes, ...DEFAULT_SPEC })
  await writePairs(client, storedPairs(p, ds))
  log('cli', `etcd at ${etcd.endpoint} with ${opts.nodes} nodes`)

  // A node with `peers` sessions per family (mesh peers Established, one global peer Active).
  const reply = (family: 4 | 6) => {
    const status = statusReply('10.99.0.1')
    const protocols = protocolsAllReply(family, opts.peers)
    return (command: string) => (command === 'show status' ? status : command === 'show protocols all' ? protocols : undefined)
  }
  const v4 = await startReplayServer(teardowns, { answer: reply(4) })
  const v6 = await startReplayServer(teardowns, { answer: reply(6) })

  const node = process.execPath
  const falconer = (...args: string[]) => [node, FALCONER_BIN, ...args]
  const commands: Command[] = [
    { key: 'node_e0', label: 'floor: `node -e 0`', argv: [node, '-e', '0'] },
    { key: 'version', label: '`falconer --version`', argv: falconer('--version'), goal: { ratio: 1.3 } },
    { key: 'help', label: '`falconer --help`', argv: falconer('--help'), goal: { ratio: 1.3 } },
    {
      key: 'node_status',
      label: `\`falconer node status\` (two replayed BIRD sockets, ${opts.peers} sessions each)`,
      argv: falconer('node', 'status', '--bird-socket', v4.socketPath, '--bird6-socket', v6.socketPath),
      goal: { ratio: 1.5, peakMiB: 50 },
    },
    { key: 'birdc', label: 'floor: `birdc show protocols all` (same IPv4 socket)', argv: ['birdc', '-s', v4.socketPath, 'show', 'protocols', 'all'] },
    { key: 'get_nodes', label: `\`falconer get nodes\` (etcd, ${opts.nodes.toLocaleString('en-US')} nodes)`, argv: falconer('get', 'nodes'), env: etcd.env, goal: { ratio: 2.5 } },
    { key: 'config_get', label: '`falconer config get asNumber` (etcd)', argv: falconer('config', 'get', 'asNumber'), env: etcd.env, goal: { ratio: 2.5 } },
  ]

  const dir = mkdtempSync(join(tmpdir(), 'fa-bench-cli-'))
  teardowns.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const samples = new Map<string, Sample[]>(commands.map((c) => [c.key, []]))
  // One warm-up round (page cache, etcd's first connection), then interleaved runs.
  for (let r = -1; r < opts.runs; r++) {
    for (const c of commands) {
      const s = await measure(teardowns, c, join(dir, 'time.txt'))
      if (r >= 0) samples.get(c.key)!.push(s)
    }
  }

  const rows: CliRow[] = commands.map((c) => {
    const s = samples.get(c.key)!
    return {
      key: c.key,
      label: c.label,
      ...(c.goal !== undefined && { goal: c.goal }),
      wallMs: median(s.map((x) => x.wallMs)),
      cpuMs: median(s.map((x) => x.cpuMs)),
      peakMiB: median(s.map((x) => x.peakMiB)),
      runs: { wallMs: s.map((x) => round(x.wallMs)), cpuMs: s.map((x) => round(x.cpuMs)), peakMiB: s.map((x) => round(x.peakMiB)) },
    }
  })
  const floor = rows.find((r) => r.key === 'node_e0')!
  const figures: Record<string, number> = { 'cli.runs': opts.runs }
  for (const row of rows) {
    figures[`cli.${row.key}.wall_ms`] = round(row.wallMs)
    figures[`cli.${row.key}.cpu_ms`] = round(row.cpuMs)
    figures[`cli.${row.key}.peak_mib`] = round(row.peakMiB)
    figures[`cli.${row.key}.over_node`] = round(row.wallMs / floor.wallMs, 2)
    log('cli', `${row.key}: ${round(row.wallMs)} ms wall, ${round(row.cpuMs)} ms CPU, ${round(row.peakMiB)} MiB (${round(row.wallMs / floor.wallMs, 2)}× node -e 0)`)
  }
  return {
    figures,
    details: { rows, nodes: opts.nodes, peers: opts.peers },
    notes: [`every command run ${opts.runs} times, interleaved, after one warm-up round; medians`, 'CPU and peak RSS from GNU time; wall around the process'],
  }
})

async function measure(teardowns: TeardownHost, c: Command, timeFile: string): Promise<Sample> {
  const t0 = now()
  const proc = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %M', ...c.argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...c.env },
  })
  teardowns.teardown(stopper(proc, 5_000))
  let stderr = ''
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code, signal] = await exited(proc)
  const wallMs = now() - t0
  if (code !== (c.code ?? 0)) throw new Error(`${c.argv.join(' ')} exited ${signal ?? code}: ${stderr.trim()}`)
  const [user, system, maxKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number]
  return { wallMs, cpuMs: (user + system) * 1000, peakMiB: (maxKb * 1024) / MiB }
}
