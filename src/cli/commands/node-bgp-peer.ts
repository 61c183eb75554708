import { Option, type Command } from 'commander'
import { lazy } from './lazy.js'

/**
 * `falconer node bgp peer add|remove|show`: the BGP peers of this node only (calicoctl's
 * "node specific" peers, v3 BGPPeers with spec.node = this node). The node is named by
 * --node, else NODENAME, else the nodename file written at registration, else the host name.
 */

const NAME_HELP = 'This node\'s name. [default: $NODENAME, the nodename file, or the lower-cased host name]'

export function registerNodeBgpCommands(node: Command): Command {
  const bgp = node
    .command('bgp')
    .usage('peer (add <PEER_IP> as <AS_NUM> | remove <PEER_IP> | show [--ipv4 | --ipv6]) [options]')
    .description('Configure the BGP peers specific to this node.')
  const peer = bgp
    .command('peer')
    .usage('(add <PEER_IP> as <AS_NUM> | remove <PEER_IP> | show [--ipv4 | --ipv6]) [options]')
    .description(
      'Configure the BGP peers specific to this node. They do not include global peers or the ' +
        'node-to-node mesh; `falconer node status` shows every session and its state.',
    )

  peer
    .command('add')
    .usage('<PEER_IP> as <AS_NUM> [--node=<NODE>] [options]')
    .description(
      'Add a BGP peer with this node. If peering with another Calico node (or most BGP ' +
        'implementations) the peering must be configured on both sides. Adding a peer that exists ' +
        'updates its AS number.',
    )
    .argument('<PEER_IP>')
    .argument('<as>')
    .argument('[AS_NUM]')
    .option('--node <NODE>', NAME_HELP)
    .addOption(new Option('--name <NODE>').hideHelp()) // the older spelling
    .addHelpText('after', '\nExamples:\n  falconer node bgp peer add 172.25.0.2 as 65511\n')
    .action(lazy(() => import('../node-bgp-peer.js'), 'peerAdd'))

  peer
    .command('remove')
    .usage('<PEER_IP> [--node=<NODE>] [options]')
    .description(
      'Remove a BGP peer of this node. Only peers specific to this node are removed, never global ' +
        'peers or node-to-node mesh sessions.',
    )
    .argument('<PEER_IP>')
    .option('--node <NODE>', NAME_HELP)
    .addOption(new Option('--name <NODE>').hideHelp()) // the older spelling
    .addHelpText('after', '\nExamples:\n  falconer node bgp peer remove 172.25.0.1\n')
    .action(lazy(() => import('../node-bgp-peer.js'), 'peerRemove'))

  peer
    .command('show')
    .usage('[--ipv4 | --ipv6] [--node=<NODE>] [options]')
    .description('Show the BGP peers specific to this node.')
    .option('--ipv4', 'Show only IPv4 peers.')
    .option('--ipv6', 'Show only IPv6 peers.')
    .option('--node <NODE>', NAME_HELP)
    .addOption(new Option('--name <NODE>').hideHelp()) // the older spelling
    .addHelpText('after', '\nExamples:\n  falconer node bgp peer show --ipv4\n')
    .action(lazy(() => import('../node-bgp-peer.js'), 'peerShow'))
  return bgp
}
