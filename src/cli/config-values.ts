import { ValidationError } from '../api/errors.js'
import type { BGPConfiguration, BGPConfigurationSpec, LogSeverity, Node } from '../api/types.js'
import { API_VERSION } from '../api/types.js'
import { parseAsNumber } from '../api/validate/index.js'
import { CliError, naming } from './errors.js'

/**
 * The `calicoctl config` names and values, mapped onto v3 resources. Pure.
 *
 *   asNumber        global → BGPConfiguration default spec.asNumber;
 *                   --node → Node spec.bgp.asNumber (where Calico reads a node's own AS)
 *   nodeToNodeMesh  global → BGPConfiguration default spec.nodeToNodeMeshEnabled (on|off)
 *   logLevel        global → BGPConfiguration default spec.logSeverityScreen;
 *                   --node → BGPConfiguration node.<name> spec.logSeverityScreen
 */

export const DEFAULT_AS_NUMBER = 64512
export const DEFAULT_LOG_LEVEL = 'info'

export type ConfigName = 'asNumber' | 'nodeToNodeMesh' | 'logLevel'
const NAMES: readonly ConfigName[] = ['asNumber', 'nodeToNodeMesh', 'logLevel']

/** calicoctl matched names case-insensitively. */
export function parseConfigName(text: string): ConfigName {
  const name = NAMES.find((n) => n.toLowerCase() === text.toLowerCase())
  if (name === undefined) {
    throw new CliError(`unrecognised config name '${text}' (expected one of ${NAMES.join(', ')})`)
  }
  return name
}

const LEVEL_TO_SEVERITY: Readonly<Record<string, LogSeverity>> = {
  debug: 'Debug',
  info: 'Info',
  warning: 'Warning',
  error: 'Error',
  critical: 'Fatal',
  none: 'None',
}

export function parseLogLevel(text: string): LogSeverity {
  const severity = LEVEL_TO_SEVERITY[text.toLowerCase()]
  if (severity === undefined) {
    throw new CliError(`invalid value '${text}' for logLevel (expected one of ${Object.keys(LEVEL_TO_SEVERITY).join(', ')})`)
  }
  return severity
}

export function logLevelText(severity: LogSeverity): string {
  return Object.entries(LEVEL_TO_SEVERITY).find(([, s]) => s === severity)?.[0] ?? severity.toLowerCase()
}

export function parseMesh(text: string): boolean {
  if (text === 'on') return true
  if (text === 'off') return false
  throw new CliError(`invalid value '${text}' for nodeToNodeMesh (expected on or off)`)
}

export function parseAsValue(text: string): number {
  try {
    return parseAsNumber(text)
  } catch (err) {
    if (err instanceof ValidationError) throw new CliError(`invalid AS number: ${naming(text, err.reason)}`)
    throw err
  }
}

export function bgpConfigName(node: string | undefined): string {
  return node === undefined ? 'default' : `node.${node}`
}

/** A spec edit: `undefined` removes the field (unset → back to the default). */
export function withSpec(
  current: BGPConfiguration | undefined,
  name: string,
  edit: Partial<BGPConfigurationSpec>,
): BGPConfiguration {
  const spec: BGPConfigurationSpec = { ...(current?.spec ?? {}) }
  for (const [key, value] of Object.entries(edit) as [keyof BGPConfigurationSpec, unknown][]) {
    if (value === undefined) delete spec[key]
    else (spec as Record<string, unknown>)[key] = value
  }
  return {
    apiVersion: API_VERSION,
    kind: 'BGPConfiguration',
    metadata: current?.metadata ?? { name },
    spec,
  }
}

export function withNodeAsNumber(node: Node, asNumber: number | undefined): Node {
  const bgp = { ...(node.spec.bgp ?? {}) }
  if (asNumber === undefined) delete bgp.asNumber
  else bgp.asNumber = asNumber
  return { ...node, spec: { ...node.spec, bgp } }
}

export function effectiveAsNumber(global: BGPConfiguration | undefined): number {
  return global?.spec.asNumber ?? DEFAULT_AS_NUMBER
}

export function meshText(global: BGPConfiguration | undefined): 'on' | 'off' {
  return global?.spec.nodeToNodeMeshEnabled === false ? 'off' : 'on'
}

export function globalLogLevelText(global: BGPConfiguration | undefined): string {
  const s = global?.spec.logSeverityScreen
  return s === undefined ? DEFAULT_LOG_LEVEL : logLevelText(s)
}
