import type { Command } from 'commander'
import { lazy } from './lazy.js'

const DESCRIPTION = `Add, update or remove a label of a resource: key=value sets it (an existing key needs
--overwrite to get a new value), key --remove removes it. Kinds: node, bgpPeer,
bgpConfiguration, bgpFilter, ipPool, calicoNodeStatus (case-insensitive, singular or plural;
workload endpoints are read-only). The resource must exist. The write is a compare-and-swap:
a change made by someone else meanwhile is kept.`

const EXAMPLES = `
Examples:
  # Label a node.
  falconer label nodes node1 cluster=frontend

  # Label a node and overwrite the original value of key 'cluster'.
  falconer label nodes node1 cluster=backend --overwrite

  # Remove the label with key 'cluster' of the node.
  falconer label nodes node1 cluster --remove
`

/** `falconer label` (implementation in ../label.ts). */
export function registerLabelCommand(program: Command): Command {
  return program
    .command('label')
    .usage('<KIND> <NAME> (<key>=<value> [--overwrite] | <key> --remove) [options]')
    .description(DESCRIPTION)
    .argument('<KIND>')
    .argument('<NAME>')
    .argument('<LABEL>', 'key=value, or key with --remove')
    .option('--overwrite', 'Replace the value when the key is already present (otherwise that is an error). Cannot be used with --remove.')
    .option('--remove', 'Remove the label with this key (an error when it is absent). Cannot be used with --overwrite.')
    .addHelpText('after', EXAMPLES)
    .action(lazy(() => import('../label.js'), 'labelResource'))
}
