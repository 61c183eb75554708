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
import { nodeFlag } from './node-flag.js'
import { CliError } from './errors.js'

/** `config set NAME VALUE [--node]`: validated before the datastore is contacted. */
export async function configSet(name: string, value: string, opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const key = parseConfigName(name)
  const change = parseSet(key, value, nodeFlag(opts, ['-n']))
  await withStore(cmd, (store) => applyChange(store, change))
}

export async function configUnset(name: string, opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const change = parseUnset(parseConfigName(name), nodeFlag(opts, ['-n']))
  await withStore(cmd, (store) => applyChange(store, change))
}

export async function configGet(name: string, opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const key = parseConfigName(name)
  const node = nodeFlag(opts, ['-n'])
  rejectNodeForGlobalOnly(key, node)
  const text = await withStore(cmd, (store) => readValue(store, key, node))
  write(`${text}\n`)
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
    throw new CliError('--node should not be specified for nodeToNodeMesh (it is global only)')
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
    throw new CliError(`node '${change.node}' does not exist (register it first, or check the name with 'falconer get nodes')`)
  }
  await updateWithRetry(store, 'Node', change.node, (current) => {
    if (current === undefined) throw new CliError(`node '${change.node}' was deleted meanwhile`)
    return validateKind('Node', withNodeAsNumber(current, change.asNumber))
  })
}

async function readValue(store: ResourceStore, key: ConfigName, node: string | undefined): Promise<string> {
  const global: BGPConfiguration | undefined = await store.get('BGPConfiguration', 'default')
  switch (key) {
    case 'asNumber': {
      if (node === undefined) return String(effectiveAsNumber(global))
      const n: Node | undefined = await store.get('Node', node)
      if (n === undefined) throw new CliError(`node '${node}' does not exist`)
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
