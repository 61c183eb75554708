import { Option, type Command } from 'commander'
import { lazy } from './lazy.js'

const DESCRIPTION = `These commands manage cluster-wide BGP configuration and some node-specific
configuration, stored in the BGPConfiguration resources 'default' and 'node.<NODE>'.

The --node option selects the node-specific value where one exists: asNumber (the node's own AS
number, Node spec.bgp.asNumber) and logLevel. Without --node the global value is managed. A node
without its own value inherits the global one.

Name            Scope        Value
asNumber        global,node  1-4294967295 or asdot (1.10) [default: 64512]
nodeToNodeMesh  global       on, off [default: on]
logLevel        global,node  debug, info, warning, error, critical, none [default: info]`

const EXAMPLES = `
Examples:
  # Set the default AS number of every node without its own
  falconer config set asNumber 64513

  # Turn off the full BGP node-to-node mesh
  falconer config set nodeToNodeMesh off

  # Set log level to debug for node "node1"
  falconer config set logLevel debug --node=node1

  # Display the current setting for the nodeToNodeMesh
  falconer config get nodeToNodeMesh
`

export function registerConfigCommands(program: Command): Command {
  const config = program
    .command('config')
    .usage('(set <NAME> <VALUE> | unset <NAME> | get <NAME>) [--node=<NODE>] [options]')
    .summary('Manage BGP configuration: asNumber, nodeToNodeMesh, logLevel.')
    .description(DESCRIPTION)
    .addHelpText('after', EXAMPLES)

  config
    .command('set')
    .usage('<NAME> <VALUE> [--node=<NODE>] [options]')
    .description('Set a configuration value.')
    .argument('<NAME>')
    .argument('<VALUE>')
    .option('--node <NODE>', 'The node name.')
    .addOption(new Option('-n <NODE>').hideHelp()) // old spelling; -n is --namespace elsewhere
    .action(lazy(() => import('../config.js'), 'configSet'))

  config
    .command('unset')
    .usage('<NAME> [--node=<NODE>] [options]')
    .description('Remove a configuration value: the global value returns to its default, a node value inherits the global one.')
    .argument('<NAME>')
    .option('--node <NODE>', 'The node name.')
    .addOption(new Option('-n <NODE>').hideHelp()) // old spelling; -n is --namespace elsewhere
    .action(lazy(() => import('../config.js'), 'configUnset'))

  config
    .command('get')
    .usage('<NAME> [--node=<NODE>] [options]')
    .description('Print a configuration value.')
    .argument('<NAME>')
    .option('--node <NODE>', 'The node name.')
    .addOption(new Option('-n <NODE>').hideHelp()) // old spelling; -n is --namespace elsewhere
    .action(lazy(() => import('../config.js'), 'configGet'))
  return config
}
