import type { Node } from '../../api/types.js'
import type { ParsedConfig } from './config.js'
import { resourceKey } from './keys.js'
import { asObj, clusterId, commentName, isObj, isSet, nodeAddress, parseAsNumber, type IPFamily } from './parse.js'
import { ProblemSink } from './problems.js'
import type { Problem } from './types.js'

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

/** A Node's own BGP fields, parsed; independent of any configuration. */
interface NodeFields {
  readonly v4: string | undefined
  readonly v6: string | undefined
  readonly asNumber: number | undefined
  readonly clusterId: string | undefined
  readonly labels: Readonly<Record<string, string>>
}

type ParsedFields = { readonly name: string; readonly fields: NodeFields | undefined; readonly problems: readonly Problem[] }

/**
 * Parsing a node's addresses dominates preparing a large snapshot, and successive
 * snapshots share most Node objects: remember the result per object (pure: the same
 * object and name always parse the same way).
 */
const memo = new WeakMap<object, ParsedFields>()

function nodeFields(name: string, node: Node): ParsedFields {
  const known = typeof node === 'object' && node !== null ? memo.get(node) : undefined
  if (known !== undefined && known.name === name) return known
  const sink = new ProblemSink()
  const key = resourceKey('Node', name)
  let ok = true
  const field = <T>(path: string, v: unknown, parse: (v: unknown, path: string) => T): T | undefined => {
    if (!isSet(v)) return undefined
    const out = sink.attempt(key, path, () => parse(v, path))
    if (out === undefined) ok = false
    return out
  }
  const spec = field('spec', (node as { spec?: unknown } | null)?.spec, asObj) ?? {}
  const bgp = field('spec.bgp', spec.bgp, asObj) ?? {}
  const fields: NodeFields = {
    v4: field('spec.bgp.ipv4Address', bgp.ipv4Address, (v, p) => nodeAddress(v, p, 4)),
    v6: field('spec.bgp.ipv6Address', bgp.ipv6Address, (v, p) => nodeAddress(v, p, 6)),
    asNumber: field('spec.bgp.asNumber', bgp.asNumber, parseAsNumber),
    clusterId: field('spec.bgp.routeReflectorClusterID', bgp.routeReflectorClusterID, clusterId),
    labels: stringLabels((node as { metadata?: unknown } | null)?.metadata),
  }
  const parsed: ParsedFields = { name, fields: ok ? fields : undefined, problems: sink.sorted() }
  if (typeof node === 'object' && node !== null) memo.set(node, parsed)
  return parsed
}

/**
 * One Node as the intent sees it; undefined (with problems) when any BGP field is invalid,
 * so a bad resource is never half-used: peers skip it and, for this node, BGP is not
 * rendered. AS: node spec > BGPConfiguration node.<name> > default > 64512.
 */
export function parseNode(name: string, node: Node, configs: ConfigLookup, problems: ProblemSink): NodeView | undefined {
  const { fields: f, problems: found } = nodeFields(name, node)
  problems.addAll(found)
  if (f === undefined) return undefined
  const nodeConfig = configs.forNode(name)
  const view: { -readonly [K in keyof NodeView]: NodeView[K] } = {
    name,
    key: resourceKey('Node', name),
    label: commentName(name),
    labels: f.labels,
    asNumber: f.asNumber ?? nodeConfig?.asNumber ?? configs.defaults.asNumber ?? DEFAULT_AS_NUMBER,
    listenPort: nodeConfig?.listenPort ?? configs.defaults.listenPort ?? BGP_PORT,
  }
  if (f.v4 !== undefined) view.v4 = f.v4
  if (f.v6 !== undefined) view.v6 = f.v6
  if (f.clusterId !== undefined) view.clusterId = f.clusterId
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
