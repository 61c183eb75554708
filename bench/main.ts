/**
 * The benchmark runner (`npm run bench`, via bench/run.js): runs each phase in a child
 * process, prints the markdown tables, writes the JSON report. Every process and the
 * network namespace it creates are stopped/deleted by PID and name on the way out, also
 * after a failure or Ctrl-C.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { addAddress, addDummy, createNetns, linkUp, removeStaleNamespaces, Teardowns } from '../test/helpers/netns.js'
import { nodeAddress } from './datastore/synthetic.js'
import { runChildPhase } from './lib/child.js'
import { parseArgs, USAGE, UsageError, type Args, type BenchConfig, type PhaseName } from './lib/config.js'
import { describeMachine, loadAverage } from './lib/machine.js'
import { renderMarkdown } from './lib/markdown.js'
import { REPO_ROOT } from './lib/paths.js'
import type { PhaseResult } from './lib/phase.js'
import type { Report } from './lib/report.js'

/** Namespaces of the benchmarks are fa-bn-…; stale ones of a killed run are removed first. */
const NETNS_PREFIX = 'bn'
const README = join(REPO_ROOT, 'bench/README.md')
const MARKERS = ['<!-- bench-results:start -->', '<!-- bench-results:end -->'] as const

export async function main(argv: readonly string[]): Promise<number> {
  let args: Args
  try {
    args = parseArgs(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    if (err.message !== '') process.stderr.write(`bench: ${err.message}\n`)
    process.stdout.write(`${USAGE}\n`)
    return err.message === '' ? 0 : 2
  }

  const teardowns = new Teardowns()
  // One cleanup, whoever asks first (a signal or the normal end): two concurrent runs
  // would split the stack, and the signal's exit could cut the other one short.
  let cleanup: Promise<void> | undefined
  const cleanUp = () => (cleanup ??= teardowns.run())
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return
    interrupted = true
    process.stderr.write(`bench: ${signal}: stopping every process and namespace this run started\n`)
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const { config } = args
  const date = new Date().toISOString()
  const machine = describeMachine()
  const loadStart = loadAverage()
  process.stderr.write(`bench: ${config.mode} run on ${machine.nproc} × ${machine.cpuModel}, node ${machine.node}; load ${loadStart.join(' / ')}\n`)

  const phases: Partial<Record<PhaseName, PhaseResult>> = {}
  const failures: { phase: PhaseName; message: string }[] = []
  try {
    for (const phase of args.phases) {
      try {
        phases[phase] = await runPhase(teardowns, phase, config)
      } catch (err) {
        if (interrupted) return 130
        failures.push({ phase, message: err instanceof Error ? err.message : String(err) })
        process.stderr.write(`bench: ${phase} failed: ${err instanceof Error ? err.message : String(err)}\n`)
      }
    }
  } finally {
    await cleanUp()
  }
  if (interrupted) return 130

  const figures: Record<string, number> = {}
  for (const result of Object.values(phases)) Object.assign(figures, result.figures)
  const report: Report = { version: 1, mode: config.mode, date, machine, load: { start: loadStart, end: loadAverage() }, config, phases, failures, figures }

  const markdown = renderMarkdown(report)
  process.stdout.write(`\n${markdown}`)
  const out = args.out ?? defaultOut(config, date)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
  process.stderr.write(`bench: wrote ${out}\n`)
  if (args.writeReadme) {
    writeReadme(markdown)
    process.stderr.write(`bench: updated ${README}\n`)
  }
  const bad = Object.entries(figures).filter(([, v]) => !Number.isFinite(v))
  if (bad.length > 0) process.stderr.write(`bench: figures that are not numbers: ${bad.map(([k]) => k).join(', ')}\n`)
  return failures.length === 0 && bad.length === 0 ? 0 : 1
}

async function runPhase(t: Teardowns, phase: PhaseName, config: BenchConfig): Promise<PhaseResult> {
  process.stderr.write(`bench: ${phase} (load ${loadAverage().join(' / ')})\n`)
  switch (phase) {
    case 'cli':
      return runChildPhase(t, 'cli', config.cli)
    case 'render':
      return runChildPhase(t, 'render', config.render, { nodeArgs: ['--expose-gc'] })
    case 'parse':
      return runChildPhase(t, 'parse', config.parse)
    case 'agent': {
      await removeStaleNamespaces(NETNS_PREFIX)
      const ns = await createNetns(t, NETNS_PREFIX)
      // Named so that its owner can look inside while it runs, and check it is gone after.
      process.stderr.write(`bench: agent phase in network namespace ${ns.name}\n`)
      const { device, clientIndex } = config.agent
      await addDummy(ns, device)
      await addAddress(ns, device, `${nodeAddress(clientIndex)}/16`)
      await linkUp(ns, device)
      return runChildPhase(t, 'agent', config.agent, { wrap: ['ip', 'netns', 'exec', ns.name] })
    }
  }
}

function defaultOut(config: BenchConfig, date: string): string {
  const day = date.slice(0, 10)
  return config.mode === 'full'
    ? join(REPO_ROOT, 'bench/results', `${day}.json`)
    : join(REPO_ROOT, 'bench/results/tmp', `smoke-${date.replace(/[:.]/g, '-')}.json`)
}

function writeReadme(markdown: string): void {
  const text = readFileSync(README, 'utf8')
  const start = text.indexOf(MARKERS[0])
  const end = text.indexOf(MARKERS[1])
  if (start < 0 || end < start) throw new Error(`${README} lacks the markers ${MARKERS.join(' … ')}`)
  writeFileSync(README, `${text.slice(0, start + MARKERS[0].length)}\n\n${markdown}\n${text.slice(end)}`)
}
