import type { Command } from 'commander'
import { resolveNodeName } from '../node/nodename.js'
import { cliSettings, exitWhenDoneAfterDatastore, write } from './context.js'

/**
 * `falconer node diags` (calicoctl node diags): one .tar.gz with what support needs —
 * rendered configs, BIRD's replies, the agent's log, this node's resources, versions and
 * routes — with passwords and secrets redacted. Prints where it wrote it.
 */
export function registerNodeDiags(node: Command): Command {
  return node
    .command('diags')
    .description('Collect diagnostics into one .tar.gz (rendered BIRD configs, BIRD status/protocols/route counts/memory, the agent log, this node\'s datastore resources with secrets redacted, versions, host routes).')
    .option('--output-dir <DIR>', 'Where to write the archive. [default: the system temp directory]')
    .option('--log-lines <N>', 'Lines of the agent log to keep.', '5000')
    .option('--log-file <FILE>', 'The agent log of a detached agent. [default: <log dir>/falconer.log]; journalctl -u falconer is collected too')
    .option('--name <NAME>', 'The node name. [default: NODENAME, the stored node name, then the host name]')
    .action(async (o: { outputDir?: string; logLines: string; logFile?: string; name?: string }, cmd: Command) => {
      const logLines = Number(o.logLines)
      if (!Number.isSafeInteger(logLines) || logLines < 0) throw new Error(`--log-lines ${o.logLines}: expected a whole number of lines`)
      const settings = cliSettings(cmd)
      const nodeName = resolveNodeName({ name: o.name, env: process.env, nodenameFile: settings.paths.nodenameFile })
      exitWhenDoneAfterDatastore()
      const { collectDiags } = await import('../node/diags/collect.js')
      const archive = await collectDiags({
        settings,
        nodeName,
        logLines,
        ...(o.outputDir !== undefined && { outputDir: o.outputDir }),
        ...(o.logFile !== undefined && { logFile: o.logFile }),
      })
      write(`Diags saved to ${archive}\n`)
    })
}
