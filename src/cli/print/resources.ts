import { stringify as toYamlText } from 'yaml'
import {
  API_VERSION,
  type AnyResource,
  type BGPConfiguration,
  type BGPPeer,
  type CalicoNodeStatus,
  type IPPool,
  type Node,
  type ResourceKind,
  type WorkloadEndpoint,
} from '../../api/types.js'
import { columnsTable } from './columns.js'

/**
 * How `get` prints resources: calicoctl's ps-style table (default and `-o wide`), or the
 * resources themselves as YAML / JSON. Pure.
 */

export type OutputFormat = 'ps' | 'wide' | 'yaml' | 'json'
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['ps', 'wide', 'yaml', 'json']

export interface TableContext {
  /** The AS number nodes without their own inherit (BGPConfiguration default, else 64512). */
  readonly defaultAsNumber: number
  /** Workload endpoints of every namespace are listed: add a NAMESPACE column. */
  readonly allNamespaces?: boolean
}

type Column<R> = readonly [heading: string, value: (r: R, ctx: TableContext) => string]

const name = <R extends AnyResource>(): Column<R> => ['NAME', (r) => r.metadata.name]
const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v))

// Headings and cell values follow calicoctl's resourcemgr templates for each kind.
const NODE: readonly Column<Node>[] = [name()]
const NODE_WIDE: readonly Column<Node>[] = [
  name(),
  ['ASN', (r, ctx) => (r.spec.bgp ? (r.spec.bgp.asNumber !== undefined ? String(r.spec.bgp.asNumber) : `(${ctx.defaultAsNumber})`) : '')],
  ['IPV4', (r) => text(r.spec.bgp?.ipv4Address)],
  ['IPV6', (r) => text(r.spec.bgp?.ipv6Address)],
]

const PEER: readonly Column<BGPPeer>[] = [
  name(),
  ['PEERIP', (r) => text(r.spec.peerIP)],
  ['NODE', (r) => r.spec.node ?? r.spec.nodeSelector ?? '(global)'],
  ['ASN', (r) => text(r.spec.asNumber)],
]

const BGPCONFIG: readonly Column<BGPConfiguration>[] = [
  name(),
  ['LOGSEVERITY', (r) => text(r.spec.logSeverityScreen)],
  ['MESHENABLED', (r) => (r.spec.nodeToNodeMeshEnabled === undefined ? '-' : String(r.spec.nodeToNodeMeshEnabled))],
  ['ASNUMBER', (r) => (r.spec.asNumber === undefined ? '-' : String(r.spec.asNumber))],
]

const POOL: readonly Column<IPPool>[] = [name(), ['CIDR', (r) => r.spec.cidr], ['SELECTOR', (r) => text(r.spec.nodeSelector)]]
const POOL_WIDE: readonly Column<IPPool>[] = [
  name(),
  ['CIDR', (r) => r.spec.cidr],
  ['NAT', (r) => String(r.spec.natOutgoing ?? false)],
  ['IPIPMODE', (r) => r.spec.ipipMode ?? 'Never'],
  ['VXLANMODE', (r) => r.spec.vxlanMode ?? 'Never'],
  ['DISABLED', (r) => String(r.spec.disabled ?? false)],
  ['SELECTOR', (r) => text(r.spec.nodeSelector)],
]

const STATUS: readonly Column<CalicoNodeStatus>[] = [name(), ['NODE', (r) => r.spec.node]]
const STATUS_WIDE: readonly Column<CalicoNodeStatus>[] = [...STATUS, ['CLASSES', (r) => (r.spec.classes ?? []).join(',')]]

const WEP: readonly Column<WorkloadEndpoint>[] = [
  ['WORKLOAD', (r) => text(r.spec.workload)],
  ['NODE', (r) => r.spec.node],
  ['NETWORKS', (r) => (r.spec.ipNetworks ?? []).join(',')],
  ['INTERFACE', (r) => text(r.spec.interfaceName)],
]
const WEP_WIDE: readonly Column<WorkloadEndpoint>[] = [name(), ...WEP]

interface KindColumns<R> {
  readonly ps: readonly Column<R>[]
  readonly wide: readonly Column<R>[]
}

const COLUMNS: { [K in ResourceKind]: KindColumns<Extract<AnyResource, { kind: K }>> } = {
  Node: { ps: NODE, wide: NODE_WIDE },
  BGPPeer: { ps: PEER, wide: PEER },
  BGPConfiguration: { ps: BGPCONFIG, wide: BGPCONFIG },
  BGPFilter: { ps: [name()], wide: [name()] },
  IPPool: { ps: POOL, wide: POOL_WIDE },
  CalicoNodeStatus: { ps: STATUS, wide: STATUS_WIDE },
  WorkloadEndpoint: { ps: WEP, wide: WEP_WIDE },
}

export function resourceTable<K extends ResourceKind>(
  kind: K,
  resources: readonly Extract<AnyResource, { kind: K }>[],
  wide: boolean,
  ctx: TableContext,
): string {
  const set = COLUMNS[kind] as KindColumns<Extract<AnyResource, { kind: K }>>
  let columns = wide ? set.wide : set.ps
  if (kind === 'WorkloadEndpoint' && ctx.allNamespaces) {
    columns = [['NAMESPACE', (r) => text(r.metadata.namespace)], ...columns]
  }
  return columnsTable(
    columns.map(([h]) => h),
    resources.map((r) => columns.map(([, value]) => value(r, ctx))),
  )
}

/**
 * The wire form in calicoctl's field order (TypeMeta first), without undefined fields.
 * `metadata.resourceVersion` is the etcd mod revision the store attached.
 */
export function wireForm(r: AnyResource): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: r.kind, apiVersion: r.apiVersion, metadata: r.metadata, spec: r.spec }
  if (r.status !== undefined) out.status = r.status
  return out
}

export function listForm(kind: ResourceKind, resources: readonly AnyResource[]): Record<string, unknown> {
  return { kind: `${kind}List`, apiVersion: API_VERSION, items: resources.map(wireForm) }
}

/** Go's json.MarshalIndent(v, "", "  ") plus a newline. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n'
}

/**
 * calicoctl's YAML goes through JSON into a map, so keys come out sorted and sequences sit
 * at their parent's indentation (`items:\n- apiVersion: …`).
 */
export function toYaml(value: unknown): string {
  return toYamlText(value, { sortMapEntries: true, indentSeq: false, lineWidth: 0 })
}
