import type { Command } from 'commander'
import { lazy } from './lazy.js'

/**
 * `falconer node show`: hostname, BIRD addresses, AS number and node-specific BGP peers of
 * every node in the cluster, in the table of the calicoctl document.
 */
export function registerNodeShow(node: Command): Command {
  return node
    .command('show')
    .usage('[options]')
    .description(
      'Show the hostname, IP addresses and BGP data (AS number, node-specific peers) of every node in the ' +
        'cluster. A node without its own AS number shows the one it inherits, marked "(inherited)".',
    )
    .addHelpText('after', '\nExamples:\n  falconer node show\n')
    .action(lazy(() => import('../node-show.js'), 'nodeShow'))
}
