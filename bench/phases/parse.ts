/**
 * Parse: a replayed `show route` / `show route all` of N routes, served by a separate
 * process, read three ways in the same run and under the same conditions:
 *   falconer   BirdControl.streamBatches + parseRouteBatches (fresh process each time: its RSS)
 *   lines      BirdControl.streamBatches only (framing, no route parsing)
 *   birdc      `birdc -s SOCK show route [all]` > /dev/null — the floor: BIRD's own C client
 * Runs are interleaved; figures are medians over the repeats. Each backend gets the same
 * routes in its own daemon's wire format from a replay server of its own (BIRD 1.6.8's,
 * BIRD 2.0.12's), read by its own parser and, as the floor, by its own `birdc`.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { exited, runChildPhase, stopper } from '../lib/child.js'
import { BACKEND_LABEL, birdTools, figurePrefix, type BirdBackend } from '../lib/backends.js'
import { log, runPhase, type PhaseResult } from '../lib/phase.js'
import { phaseScript } from '../lib/paths.js'
import { median, now, round } from '../lib/stats.js'
import type { ParseClientOptions } from './parse-client.js'
import type { TeardownHost } from '../../test/helpers/netns.js'

export interface ParseOptions {
  readonly routes: number
  readonly repeats: number
  readonly backends: readonly BirdBackend[]
}

type Command = ParseClientOptions['command']
const COMMANDS: readonly Command[] = ['show route', 'show route all']

export interface ParseRow {
  readonly backend: BirdBackend
  readonly command: Command
  readonly routes: number
  readonly parseRoutesPerSecond: number
  readonly parseCpuSeconds: number
  readonly rssGrowthMiB: number
  readonly linesRoutesPerSecond: number
  readonly birdcRoutesPerSecond: number
  readonly runs: { readonly parse: readonly number[]; readonly lines: readonly number[]; readonly birdc: readonly number[]; readonly rss: readonly number[] }
}

runPhase<ParseOptions>('parse', async (opts, teardowns) => {
  const rows: ParseRow[] = []
  const figures: Record<string, number> = {}
  for (const backend of opts.backends) {
    const socket = await startReplayProcess(teardowns, opts.routes, backend)
    const { birdc: birdcBin } = birdTools(backend)
    rows.push(...(await parseRows(teardowns, opts, backend, socket, birdcBin, figures)))
  }
  return {
    figures,
    details: { rows },
    notes: [
      'replay server in its own process; each falconer read in a fresh node process (plain node, dist/)',
      `medians of ${opts.repeats} interleaved runs; RSS growth = VmHWM during the read − VmRSS before it`,
      `backends, one after the other, each with its own replay server, wire format, parser and birdc: ${opts.backends.map((b) => BACKEND_LABEL[b]).join(', ')}`,
    ],
  }
})

async function parseRows(
  teardowns: TeardownHost,
  opts: ParseOptions,
  backend: BirdBackend,
  socket: string,
  birdcBin: string,
  figures: Record<string, number>,
): Promise<ParseRow[]> {
  const rows: ParseRow[] = []
  for (const command of COMMANDS) {
    const parse: PhaseResult[] = []
    const lines: PhaseResult[] = []
    const birdc: number[] = []
    for (let r = 0; r < opts.repeats; r++) {
      const client = (mode: ParseClientOptions['mode']) =>
        runChildPhase<ParseClientOptions>(teardowns, 'parse-client', { socket, command, expected: opts.routes, mode, backend }, { nodeArgs: ['--expose-gc'] })
      parse.push(await client('parse'))
      lines.push(await client('lines'))
      birdc.push(await birdcSeconds(teardowns, birdcBin, socket, command))
      log('parse', `${BACKEND_LABEL[backend]} birdc "${command}": ${opts.routes} routes in ${birdc.at(-1)!.toFixed(2)} s`)
    }
    const fig = (results: PhaseResult[], name: string) => results.map((x) => x.figures[name] ?? Number.NaN)
    const row: ParseRow = {
      backend,
      command,
      routes: opts.routes,
      parseRoutesPerSecond: median(fig(parse, 'routesPerSecond')),
      parseCpuSeconds: median(fig(parse, 'cpuSeconds')),
      rssGrowthMiB: median(fig(parse, 'rssGrowthMiB')),
      linesRoutesPerSecond: median(fig(lines, 'routesPerSecond')),
      birdcRoutesPerSecond: median(birdc.map((s) => opts.routes / s)),
      runs: {
        parse: fig(parse, 'routesPerSecond').map(Math.round),
        lines: fig(lines, 'routesPerSecond').map(Math.round),
        birdc: birdc.map((s) => Math.round(opts.routes / s)),
        rss: fig(parse, 'rssGrowthMiB').map((x) => round(x)),
      },
    }
    rows.push(row)
    const key = `${figurePrefix('parse', backend)}.${command === 'show route' ? 'show_route' : 'show_route_all'}`
    figures[`${key}.routes`] = opts.routes
    figures[`${key}.routes_per_s`] = Math.round(row.parseRoutesPerSecond)
    figures[`${key}.cpu_s`] = round(row.parseCpuSeconds, 2)
    figures[`${key}.rss_growth_mib`] = round(row.rssGrowthMiB)
    figures[`${key}.lines_only_routes_per_s`] = Math.round(row.linesRoutesPerSecond)
    figures[`${key}.birdc_routes_per_s`] = Math.round(row.birdcRoutesPerSecond)
  }
  return rows
}

/** Starts phases/replay-server.js and resolves with its socket path; stopped on teardown. */
async function startReplayProcess(t: TeardownHost, routes: number, backend: BirdBackend): Promise<string> {
  const proc = spawn(process.execPath, [phaseScript('replay-server'), String(routes), backend], { stdio: ['pipe', 'pipe', 'inherit'] })
  t.teardown(stopper(proc, 5_000))
  const lines = createInterface({ input: proc.stdout! })
  const socket = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => {
      const parsed = JSON.parse(line) as { socket?: unknown }
      if (typeof parsed.socket === 'string') resolve(parsed.socket)
      else reject(new Error(`replay server said: ${line}`))
    })
    void exited(proc).then(([code, signal]) => reject(new Error(`replay server exited (${signal ?? code}) before listening`)))
  })
  lines.close()
  return socket
}

/** Wall seconds of `birdc -s SOCK COMMAND` writing to /dev/null. */
async function birdcSeconds(t: TeardownHost, birdc: string, socket: string, command: Command): Promise<number> {
  const devNull = openSync('/dev/null', 'w')
  try {
    const t0 = now()
    const proc = spawn(birdc, ['-s', socket, ...command.split(' ')], { stdio: ['ignore', devNull, 'pipe'] })
    t.teardown(stopper(proc, 5_000))
    let stderr = ''
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
    const [code, signal] = await exited(proc)
    const seconds = (now() - t0) / 1000
    if (code !== 0) throw new Error(`birdc ${command} failed (${signal ?? code}): ${stderr.trim()}`)
    return seconds
  } finally {
    closeSync(devNull)
  }
}
