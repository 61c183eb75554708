import type { Command } from 'commander'
import { lazy } from './lazy.js'

/** `falconer node stop [--force]`: stop the local agent (and with it BIRD). */
export function registerNodeStop(node: Command): Command {
  return node
    .command('stop')
    .description(
      'Stop the falconer agent on this host (it stops its BIRD). Refuses while workload endpoints of this node exist, unless --force.',
    )
    .option('--force', 'Stop the Calico node even if there are still endpoints configured.')
    .action(lazy(() => import('../node-stop.js'), 'nodeStop'))
}
