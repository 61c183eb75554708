import type { Command } from 'commander'
import { lazy } from './lazy.js'

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
    .action(lazy(() => import('../node-diags.js'), 'nodeDiags'))
}
