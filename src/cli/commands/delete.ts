import type { Command } from 'commander'
import { lazy } from './lazy.js'

const DESCRIPTION = `Delete resources identified by file, stdin or kind and name.

calicoctl v1 peers are deleted by address and scope: 'delete bgpPeer <PEER_IP> --scope=global'
or 'delete bgpPeer <PEER_IP> --scope=node --node=<NODE>' removes the peers with that peerIP,
whatever their resource name.`

const EXAMPLES = `
Examples:
  # Delete the resources described in peers.yaml.
  falconer delete -f ./peers.yaml

  # Delete the BGP peer named "peer1".
  falconer delete bgppeer peer1

  # Delete the global BGP peer 192.20.30.40.
  falconer delete bgpPeer 192.20.30.40 --scope=global

  # Delete the BGP peer aa:bb::ff of node "node1".
  falconer delete bgpPeer aa:bb::ff --scope=node --node=node1
`

export function registerDeleteCommand(program: Command): Command {
  return program
    .command('delete')
    .usage('(--filename=<FILENAME> | <KIND> <NAME>) [--skip-not-exists] [--scope=<SCOPE>] [--node=<NODE>] [options]')
    .description(DESCRIPTION)
    .argument('[KIND]')
    .argument('[NAME]')
    .option('-f, --filename <FILENAME>', 'Filename to use; "-" reads stdin.')
    .option('--skip-not-exists', 'Skip over and treat as successful any attempts to delete an entry that does not exist.')
    .option('--scope <SCOPE>', 'calicoctl v1 BGP peer scope: global or node.')
    .option('--node <NODE>', 'The node of a node-scoped (v1) BGP peer.')
    .option('-n, --namespace <NAMESPACE>', 'Namespace of a namespaced resource.', 'default')
    .addHelpText('after', EXAMPLES)
    .action(lazy(() => import('../delete.js'), 'deleteResources'))
}
