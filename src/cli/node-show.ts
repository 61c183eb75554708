import type { Command } from 'commander'
import { effectiveAsNumber } from './config-values.js'
import { withStore, write } from './context.js'
import { nodeShowTable } from './print/peer-tables.js'

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
    .action(async (_opts: unknown, cmd: Command) => {
      const text = await withStore(cmd, async (store) => {
        const [nodes, peers, global] = await Promise.all([
          store.list('Node'),
          store.list('BGPPeer'),
          store.get('BGPConfiguration', 'default'),
        ])
        return nodeShowTable(nodes, peers, effectiveAsNumber(global))
      })
      write(text)
    })
}
