import type { Command } from 'commander'
import { ReportedError } from './errors.js'
import { cliSettings, write } from './context.js'
import { exitWhenDoneFromNowOn } from './process-exit.js'

/** `falconer node checksystem` (definition in commands/node-checksystem.ts). */
export async function nodeChecksystem(o: { backend?: string }, cmd: Command): Promise<void> {
  const { parseBackend, pickSetting } = await import('../node/startup/run-config.js')
  const backend = parseBackend(pickSetting(o.backend, '--backend', process.env, 'CALICO_NETWORKING_BACKEND'))
  exitWhenDoneFromNowOn()
  const { checkSystem, formatCheck } = await import('../node/checksystem.js')
  const results = await checkSystem({ settings: cliSettings(cmd), backend })
  write(results.map((r) => formatCheck(r) + '\n').join(''))
  const problems = results.filter((r) => r.level === 'problem').length
  write(problems === 0 ? 'System meets the requirements to run falconer.\n' : `${problems} problem(s) found.\n`)
  if (problems > 0) throw new ReportedError(1)
}
