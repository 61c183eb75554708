import type { Node } from '../../api/types.js'
import type { ParsedConfig } from './config.js'
import { resourceKey } from './keys.js'
import { asObj, clusterId, commentName, isObj, isSet, nodeAddress, parseAsNumber, type IPFamily } from './parse.js'
import type { ProblemSink } from './problems.js'

export const DEFAULT_AS_NUMBER = 64512
export const BGP_PORT = 179

/** A Node as the intent needs it: addresses canonical, AS and listen port already resolved. */
export interface NodeView {
  readonly name: string
  readonly key: string
  /** Safe for a comment. */
  readonly label: string
  readonly labels: Readonly<Record<string, string>>
  readonly v4?: string
  readonly v6?: string
  readonly asNumber: number
  readonly clusterId?: string
  /** The port this node's BIRD listens on: what its peers must connect to. */
  readonly listenPort: number
}

export function addressOf(n: NodeView, family: IPFamily): string | undefined {
  return family === 4 ? n.v4 : n.v6
}

export interface ConfigLookup {
  readonly defaults: ParsedConfig
  forNode(name: string): ParsedConfig | undefined
}

/**
 * Parses one Node; undefined (with problems) when any BGP field is invalid, so a bad
 * resource is never half-used: peers skip it and, for this node, BGP is not rendered.
 * AS: node spec > BGPConfiguration node.<name> > default > 64512.
 */
export function parseNode(name: string, node: Node, configs: ConfigLookup, problems: ProblemSink): NodeView | undefined {
  const key = resourceKey('Node', name)
  let ok = true
  const field = <T>(path: string, v: unknown, parse: (v: unknown, path: string) => T): T | undefined => {
    if (!isSet(v)) return undefined
    const out = problems.attempt(key, path, () => parse(v, path))
    if (out === undefined) ok = false
    return out
  }
  const spec = problems.attempt(key, 'spec', () => (isSet(node.spec) ? asObj(node.spec, 'spec') : {}))
  if (spec === undefined) return undefined
  const bgp = field('spec.bgp', spec.bgp, asObj) ?? {}
  const v4 = field('spec.bgp.ipv4Address', bgp.ipv4Address, (v, p) => nodeAddress(v, p, 4))
  const v6 = field('spec.bgp.ipv6Address', bgp.ipv6Address, (v, p) => nodeAddress(v, p, 6))
  const ownAs = field('spec.bgp.asNumber', bgp.asNumber, parseAsNumber)
  const cluster = field('spec.bgp.routeReflectorClusterID', bgp.routeReflectorClusterID, clusterId)
  if (!ok) return undefined

  const nodeConfig = configs.forNode(name)
  const view: { -readonly [K in keyof NodeView]: NodeView[K] } = {
    name,
    key,
    label: commentName(name),
    labels: stringLabels(node.metadata),
    asNumber: ownAs ?? nodeConfig?.asNumber ?? configs.defaults.asNumber ?? DEFAULT_AS_NUMBER,
    listenPort: nodeConfig?.listenPort ?? configs.defaults.listenPort ?? BGP_PORT,
  }
  if (v4 !== undefined) view.v4 = v4
  if (v6 !== undefined) view.v6 = v6
  if (cluster !== undefined) view.clusterId = cluster
  return view
}

/** Labels only select; they never reach the file. Non-string values cannot match anything. */
function stringLabels(meta: unknown): Record<string, string> {
  const labels = isObj(meta) ? meta.labels : undefined
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  if (!isObj(labels)) return out
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v
  return out
}
