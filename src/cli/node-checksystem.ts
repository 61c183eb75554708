import type { Command } from 'commander'
import { ReportedError } from './errors.js'
import { cliSettings, write } from './context.js'
import { exitWhenDoneFromNowOn } from './process-exit.js'

/** `falconer node checksystem` (definition in commands/node-checksystem.ts). */
export async function nodeChecksystem(_o: unknown, cmd: Command): Promise<void> {

  exitWhenDoneFromNowOn()
  const { checkSystem, formatCheck } = await import('../node/checksystem.js')
  const results = await checkSystem({ settings: cliSettings(cmd) })
  write(results.map((r) => formatCheck(r) + '\n').join(''))
  const problems = results.filter((r) => r.level === 'problem').length
  write(problems === 0 ? 'System meets the requirements to run falconer.\n' : `${problems} problem(s) found.\n`)
  if (problems > 0) throw new ReportedError(1)
}
