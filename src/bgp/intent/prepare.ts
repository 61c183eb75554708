import { ValidationError } from '../../api/errors.js'
import type { Snapshot } from '../../api/snapshot.js'
import type { BlockAffinity, IPPool } from '../../api/types.js'
import { parseConfig, type ClusterRoutePolicy, type ParsedConfig } from './config.js'
import { parseFilters, type ParsedFilters } from './filters.js'
import { resourceKey } from './keys.js'
import { parseNode, type NodeView } from './nodes.js'
import { asObj, bool, isSet, network, str, type IPFamily } from './parse.js'
import { parsePeer, type ParsedPeer } from './peers.js'
import { cmp, ProblemSink } from './problems.js'
import type { Problem } from './types.js'

export interface ParsedPool {
  readonly family: IPFamily
  readonly cidr: string
  readonly exported: boolean
  readonly programKernel: boolean
}

/**
 * Everything about a snapshot that does not depend on which node we render for: parsed
 * once, then shared by every buildIntent call on the same snapshot (a benchmark or a
 * lab renders many nodes from one view). Selectors are parsed here, once.
 */
export interface Prepared {
  readonly problems: readonly Problem[]
  readonly defaults: ParsedConfig
  readonly nodeConfigs: ReadonlyMap<string, ParsedConfig>
  readonly nodes: ReadonlyMap<string, NodeView>
  /** Valid nodes, sorted by name. */
  readonly nodeList: readonly NodeView[]
  /** Valid nodes by each of their addresses. */
  readonly nodesByAddress: ReadonlyMap<string, readonly NodeView[]>
  /** Valid peers, sorted by name. */
  readonly peers: readonly ParsedPeer[]
  readonly pools: readonly ParsedPool[]
  /** Every valid BGPFilter, by name. */
  readonly filters: ParsedFilters
  /** Raw affinities by node name: parsed only for the node being rendered. */
  readonly affinities: ReadonlyMap<string, readonly BlockAffinity[]>
}

const cache = new WeakMap<Snapshot, Prepared>()

export function prepare(snapshot: Snapshot): Prepared {
  let p = cache.get(snapshot)
  if (p === undefined) {
    p = prepareUncached(snapshot)
    cache.set(snapshot, p)
  }
  return p
}

const sortedEntries = <V>(m: ReadonlyMap<string, V>): [string, V][] => [...m].sort(([a], [b]) => cmp(a, b))

function prepareUncached(snapshot: Snapshot): Prepared {
  const problems = new ProblemSink()
  const defaults = parseConfig('default', snapshot.bgpConfigurations.get('default'), problems)
  const nodeConfigs = new Map<string, ParsedConfig>()
  for (const [name, res] of sortedEntries(snapshot.bgpConfigurations)) {
    if (name.startsWith('node.')) nodeConfigs.set(name.slice('node.'.length), parseConfig(name, res, problems, defaults.communities))
  }
  const configs = { defaults, forNode: (n: string) => nodeConfigs.get(n) }

  const nodes = new Map<string, NodeView>()
  const nodeList: NodeView[] = []
  const nodesByAddress = new Map<string, NodeView[]>()
  for (const [name, node] of sortedEntries(snapshot.nodes)) {
    const view = parseNode(name, node, configs, problems)
    if (view === undefined) continue
    nodes.set(name, view)
    nodeList.push(view)
    for (const a of [view.v4, view.v6]) {
      if (a === undefined) continue
      const list = nodesByAddress.get(a)
      if (list === undefined) nodesByAddress.set(a, [view])
      else list.push(view)
    }
  }

  const peers: ParsedPeer[] = []
  for (const [name, peer] of sortedEntries(snapshot.bgpPeers)) {
    const parsed = parsePeer(name, peer, problems)
    if (parsed !== undefined) peers.push(parsed)
  }

  // Unsorted: only this node's list is used, and its blocks are sorted once parsed.
  const affinities = new Map<string, BlockAffinity[]>()
  for (const a of snapshot.blockAffinities.values()) {
    if (typeof a?.node !== 'string') continue
    let list = affinities.get(a.node)
    if (list === undefined) affinities.set(a.node, (list = []))
    list.push(a)
  }

  return {
    problems: problems.sorted(),
    defaults,
    nodeConfigs,
    nodes,
    nodeList,
    nodesByAddress,
    peers,
    pools: parsePools(snapshot.ipPools, defaults.clusterRoutes, problems),
    filters: parseFilters(snapshot.bgpFilters ?? new Map(), problems),
    affinities,
  }
}

/**
 * Pools by CIDR. A pool marked `disabled` is still exported: `disabled` stops new
 * allocations, but workloads already in its blocks must stay reachable (as in Calico).
 * Two pools with one CIDR: not exporting and not programming win.
 *
 * Kernel programming follows Calico: never for VXLAN pools; for IP-in-IP and unencapsulated
 * pools as BGPConfiguration.programClusterRoutes says. Unset, falconer programs both (it has
 * no Felix to hand IP-in-IP pools to, and routes them natively).
 */
function parsePools(pools: ReadonlyMap<string, IPPool>, policy: ClusterRoutePolicy | undefined, problems: ProblemSink): ParsedPool[] {
  const programs = policy ?? { ipip: true, noEncap: true }
  const byCidr = new Map<string, ParsedPool>()
  for (const [name, pool] of sortedEntries(pools)) {
    const key = resourceKey('IPPool', name)
    const parsed = problems.attempt(key, 'spec', () => {
      const spec = asObj(pool.spec, 'spec')
      const cidr = network(spec.cidr, 'spec.cidr')
      const noExport = isSet(spec.disableBGPExport) ? bool(spec.disableBGPExport, 'spec.disableBGPExport') : false
      const vxlan = isSet(spec.vxlanMode) ? str(spec.vxlanMode, 'spec.vxlanMode') : 'Never'
      if (vxlan !== 'Never' && vxlan !== 'Always' && vxlan !== 'CrossSubnet') {
        throw new ValidationError('spec.vxlanMode', 'expected Never, Always or CrossSubnet')
      }
      const ipip = isSet(spec.ipipMode) ? str(spec.ipipMode, 'spec.ipipMode') : 'Never'
      if (ipip !== 'Never' && ipip !== 'Always' && ipip !== 'CrossSubnet') {
        throw new ValidationError('spec.ipipMode', 'expected Never, Always or CrossSubnet')
      }
      const programKernel = vxlan !== 'Never' ? false : ipip !== 'Never' ? programs.ipip : programs.noEncap
      return { family: cidr.family, cidr: cidr.cidr, exported: !noExport, programKernel }
    })
    if (parsed === undefined) continue
    const seen = byCidr.get(parsed.cidr)
    byCidr.set(
      parsed.cidr,
      seen === undefined
        ? parsed
        : { ...parsed, exported: seen.exported && parsed.exported, programKernel: seen.programKernel && parsed.programKernel },
    )
  }
  return [...byCidr.values()].sort((a, b) => cmp(a.cidr, b.cidr))
}
