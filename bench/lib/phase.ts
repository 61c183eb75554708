import { writeFileSync } from 'node:fs'
import { Teardowns } from '../../test/helpers/netns.js'
import { loadAverage } from './machine.js'

/**
 * Every benchmark phase runs in a process of its own (clean heap, no JIT or GC state left
 * by another phase, and a crash or a stuck BIRD cannot take the runner down):
 *   node [flags] dist/bench/bench/phases/NAME.js OPTIONS_JSON RESULT_FILE
 * It writes its PhaseResult to RESULT_FILE and exits 0, or exits non-zero. Whatever it
 * starts is registered on `teardowns` and stopped by PID on the way out, also on SIGTERM
 * or SIGINT (the runner forwards Ctrl-C).
 */

/** Flat numeric figures (the smoke test checks each is finite) plus the detail behind them. */
export interface PhaseResult {
  readonly figures: Record<string, number>
  readonly details: unknown
  readonly notes: readonly string[]
  /** Load averages when the phase started and ended. */
  readonly load: { readonly start: readonly number[]; readonly end: readonly number[] }
}

export type PhaseBody<O> = (opts: O, teardowns: Teardowns, load: { start: readonly number[] }) => Promise<Omit<PhaseResult, 'load'>>

export function runPhase<O>(name: string, body: PhaseBody<O>): void {
  const [optionsJson, resultFile] = process.argv.slice(2)
  if (optionsJson === undefined || resultFile === undefined) {
    process.stderr.write(`usage: ${name}.js OPTIONS_JSON RESULT_FILE\n`)
    process.exit(2)
  }
  const teardowns = new Teardowns()
  // One cleanup, whoever asks first: see bench/main.ts.
  let cleanup: Promise<void> | undefined
  const cleanUp = () => (cleanup ??= teardowns.run())
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    log(name, `${signal}: cleaning up`)
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  const start = loadAverage()
  void (async () => {
    let code = 0
    try {
      const result = await body(JSON.parse(optionsJson) as O, teardowns, { start })
      const full: PhaseResult = { ...result, load: { start, end: loadAverage() } }
      writeFileSync(resultFile, `${JSON.stringify(full, null, 2)}\n`)
    } catch (err) {
      code = 1
      log(name, `failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    }
    await cleanUp()
    if (!stopping) process.exit(code)
  })()
}

export function log(phase: string, message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${phase}: ${message}\n`)
}
