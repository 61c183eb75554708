import type { Command } from 'commander'
import { lazy } from './lazy.js'

/** `falconer node stop [--force] [--drain [--wait=SECONDS]]`: stop the local agent (and with it BIRD). */
export function registerNodeStop(node: Command): Command {
  return node
    .command('stop')
    .description(
      'Stop the falconer agent on this host (it stops its BIRD). Refuses while workload endpoints of this node exist, unless --force.',
    )
    .option('--force', 'Stop the Calico node even if there are still endpoints configured.')
    .option(
      '--drain',
      'Drain first (as `falconer node drain`, until the agent starts again), wait --wait seconds for peers to move traffic, ' +
        'then stop with graceful restart off, so peers withdraw the routes at once and nothing is left stale.',
    )
    .option('--wait <SECONDS>', 'With --drain: settle time for peers after the drained config is applied (30, 30s, 2m; 0: none). [default: 30]')
    .action(lazy(() => import('../node-stop.js'), 'nodeStop'))
}
