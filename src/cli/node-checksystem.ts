import type { Command } from 'commander'
import { ReportedError } from './errors.js'
import { cliSettings, exitWhenDoneAfterDatastore, write } from './context.js'

/**
 * `falconer node checksystem` (calicoctl node checksystem): can this host run falconer?
 * One line per check (ok / warning / problem) with the fix; exit 1 when any problem.
 */
export function registerNodeChecksystem(node: Command): Command {
  return node
    .command('checksystem')
    .description('Check this host: BIRD present, IP forwarding, capabilities, etcd reachable, clock skew against etcd, Node.js version, no host bird.service.')
    .action(async (_o: unknown, cmd: Command) => {
      exitWhenDoneAfterDatastore()
      const { checkSystem, formatCheck } = await import('../node/checksystem.js')
      const results = await checkSystem({ settings: cliSettings(cmd) })
      write(results.map((r) => formatCheck(r) + '\n').join(''))
      const problems = results.filter((r) => r.level === 'problem').length
      write(problems === 0 ? 'System meets the requirements to run falconer.\n' : `${problems} problem(s) found.\n`)
      if (problems > 0) throw new ReportedError(1)
    })
}
