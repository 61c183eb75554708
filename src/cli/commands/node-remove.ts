import { Option, type Command } from 'commander'
import { lazy } from './lazy.js'

/** `falconer node remove [--node=NODE] [--remove-endpoints]`: delete a node and what belongs to it. */
export function registerNodeRemove(node: Command): Command {
  return node
    .command('remove')
    .description(
      'Remove a node from the Calico network: its Node resource, node-specific BGP peers, BGPConfiguration node.<name>, ' +
        'CalicoNodeStatus objects and block affinities. Refuses while the node has workload endpoints (unless ' +
        '--remove-endpoints) and while this host\'s agent runs when removing this host\'s node.',
    )
    .option('--node <NODE>', 'The name of the node to remove. [default: this host\'s node name]')
    .addOption(new Option('--hostname <NODE>').hideHelp()) // the older spelling
    .option('--remove-endpoints', 'Remove the endpoint data when deleting the node from the Calico network.')
    .action(lazy(() => import('../node-remove.js'), 'nodeRemove'))
}
