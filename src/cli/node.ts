import type { Command } from 'commander'

/**
 * `falconer node …`: the calicoctl node command group. Each subcommand lives in its own
 * file (node-*.ts) and registers itself here.
 */
export function registerNodeCommands(program: Command): Command {
  const node = program
    .command('node')
    .description('manage this Calico node: run, stop, remove, status, show, BGP peers, diagnostics')
  return node
}
