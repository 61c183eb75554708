import type { Command } from 'commander'
import { lazy } from './lazy.js'

const DESCRIPTION = `Display one or many resources.

Kinds (case-insensitive, singular, plural or short): node (no), bgpPeer (bgpp, bp),
bgpConfiguration (bgpconfig), bgpFilter, ipPool (ipp, pool), calicoNodeStatus (cns),
workloadEndpoint (wep; read-only).

The default output is a table of the resources' main fields; -o wide adds columns; -o yaml and
-o json print the resources (a <Kind>List when no name is given).

With --scope and/or --node, BGP peers are listed the calicoctl v1 way (SCOPE PEERIP NODE ASN)
and NAME is a peer IP.`

const EXAMPLES = `
Examples:
  # List all BGP peers in the default output format.
  falconer get bgpPeers

  # List the global BGP peers, calicoctl v1 style.
  falconer get bgpPeer --scope=global

  # List the BGP peers of node "node1", calicoctl v1 style.
  falconer get bgpPeer --node=node1

  # Get the IP pool "default-ipv4-ippool" as YAML.
  falconer get ippool default-ipv4-ippool -o yaml
`

export function registerGetCommand(program: Command): Command {
  return program
    .command('get')
    .usage('<KIND> [<NAME>] [--output=<OUTPUT>] [--scope=<SCOPE>] [--node=<NODE>] [options]')
    .description(DESCRIPTION)
    .argument('<KIND>')
    .argument('[NAME]')
    .option('-o, --output <OUTPUT>', 'Output format: ps, wide, yaml or json.', 'ps')
    .option('--scope <SCOPE>', 'calicoctl v1 BGP peer scope: global or node.')
    .option('--node <NODE>', 'List the (v1 node-scoped) BGP peers of this node.')
    .option('-n, --namespace <NAMESPACE>', 'Namespace of workload endpoints.', 'default')
    .option('-A, --all-namespaces', 'Workload endpoints of every namespace.')
    .addHelpText('after', EXAMPLES)
    .action(lazy(() => import('../get.js'), 'getResources'))
}
