import type { Command } from 'commander'
import { validateKind } from '../api/validate/index.js'
import type { BGPConfiguration, BGPConfigurationSpec, Node } from '../api/types.js'
import type { ResourceStore } from '../datastore/store.js'
import { updateWithRetry } from './cas.js'
import {
  bgpConfigName,
  globalLogLevelText,
  logLevelText,
  meshText,
  parseAsValue,
  parseConfigName,
  parseLogLevel,
  parseMesh,
  withNodeAsNumber,
  withSpec,
  effectiveAsNumber,
  type ConfigName,
} from './config-values.js'
import { withStore, write } from './context.js'
import { addNodeOption, nodeFlag } from './node-flag.js'
import { CliError } from './errors.js'

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

  const set = config
    .command('set')
    .usage('<NAME> <VALUE> [--node=<NODE>] [options]')
    .description('Set a configuration value.')
    .argument('<NAME>')
    .argument('<VALUE>')
  addNodeOption(set, 'The node name.', ['-n'])
    .action(async (name: string, value: string, opts: Record<string, unknown>, cmd: Command) => {
      const key = parseConfigName(name)
      const change = parseSet(key, value, nodeFlag(opts, ['-n']))
      await withStore(cmd, (store) => applyChange(store, change))
    })

  const unset = config
    .command('unset')
    .usage('<NAME> [--node=<NODE>] [options]')
    .description('Remove a configuration value: the global value returns to its default, a node value inherits the global one.')
    .argument('<NAME>')
  addNodeOption(unset, 'The node name.', ['-n'])
    .action(async (name: string, opts: Record<string, unknown>, cmd: Command) => {
      const change = parseUnset(parseConfigName(name), nodeFlag(opts, ['-n']))
      await withStore(cmd, (store) => applyChange(store, change))
    })

  const get = config
    .command('get')
    .usage('<NAME> [--node=<NODE>] [options]')
    .description('Print a configuration value.')
    .argument('<NAME>')
  addNodeOption(get, 'The node name.', ['-n'])
    .action(async (name: string, opts: Record<string, unknown>, cmd: Command) => {
      const key = parseConfigName(name)
      const node = nodeFlag(opts, ['-n'])
      rejectNodeForGlobalOnly(key, node)
      const text = await withStore(cmd, (store) => readValue(store, key, node))
      write(`${text}\n`)
    })
  return config
}

/** What to write, decided (and validated) before the datastore is contacted. */
type Change =
  | { readonly target: 'bgpconfig'; readonly name: string; readonly edit: Partial<BGPConfigurationSpec> }
  | { readonly target: 'node'; readonly node: string; readonly asNumber: number | undefined }

function parseSet(key: ConfigName, value: string, node: string | undefined): Change {
  rejectNodeForGlobalOnly(key, node)
  switch (key) {
    case 'asNumber': {
      const asNumber = parseAsValue(value)
      return node === undefined
        ? { target: 'bgpconfig', name: 'default', edit: { asNumber } }
        : { target: 'node', node, asNumber }
    }
    case 'nodeToNodeMesh':
      return { target: 'bgpconfig', name: 'default', edit: { nodeToNodeMeshEnabled: parseMesh(value) } }
    case 'logLevel':
      return { target: 'bgpconfig', name: bgpConfigName(node), edit: { logSeverityScreen: parseLogLevel(value) } }
  }
}

function parseUnset(key: ConfigName, node: string | undefined): Change {
  rejectNodeForGlobalOnly(key, node)
  switch (key) {
    case 'asNumber':
      return node === undefined
        ? { target: 'bgpconfig', name: 'default', edit: { asNumber: undefined } }
        : { target: 'node', node, asNumber: undefined }
    case 'nodeToNodeMesh':
      return { target: 'bgpconfig', name: 'default', edit: { nodeToNodeMeshEnabled: undefined } }
    case 'logLevel':
      return { target: 'bgpconfig', name: bgpConfigName(node), edit: { logSeverityScreen: undefined } }
  }
}

function rejectNodeForGlobalOnly(key: ConfigName, node: string | undefined): void {
  if (key === 'nodeToNodeMesh' && node !== undefined) {
    throw new CliError('Error executing command: --node should not be specified for nodeToNodeMesh (it is global only)')
  }
}

async function applyChange(store: ResourceStore, change: Change): Promise<void> {
  if (change.target === 'bgpconfig') {
    await updateWithRetry(store, 'BGPConfiguration', change.name, (current) =>
      validateKind('BGPConfiguration', withSpec(current, change.name, change.edit)),
    )
    return
  }
  const node = await store.get('Node', change.node)
  if (node === undefined) {
    throw new CliError(`Error executing command: node '${change.node}' does not exist (register it first, or check the name with 'falconer get nodes')`)
  }
  await updateWithRetry(store, 'Node', change.node, (current) => {
    if (current === undefined) throw new CliError(`Error executing command: node '${change.node}' was deleted meanwhile`)
    return validateKind('Node', withNodeAsNumber(current, change.asNumber))
  })
}

async function readValue(store: ResourceStore, key: ConfigName, node: string | undefined): Promise<string> {
  const global: BGPConfiguration | undefined = await store.get('BGPConfiguration', 'default')
  switch (key) {
    case 'asNumber': {
      if (node === undefined) return String(effectiveAsNumber(global))
      const n: Node | undefined = await store.get('Node', node)
      if (n === undefined) throw new CliError(`Error executing command: node '${node}' does not exist`)
      const own = n.spec.bgp?.asNumber
      return own !== undefined ? String(own) : `${effectiveAsNumber(global)} (inherited from global)`
    }
    case 'nodeToNodeMesh':
      return meshText(global)
    case 'logLevel': {
      if (node === undefined) return globalLogLevelText(global)
      const own = (await store.get('BGPConfiguration', bgpConfigName(node)))?.spec.logSeverityScreen
      return own !== undefined ? logLevelText(own) : `${globalLogLevelText(global)} (inherited from global)`
    }
  }
}
