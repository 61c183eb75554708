/** Small builders for snapshots in BGP tests: resources as the syncer would hand them over. */
import type { Snapshot } from '../../../src/api/snapshot.js'
import {
  API_VERSION,
  type BGPConfiguration,
  type BGPConfigurationSpec,
  type BGPFilter,
  type BGPFilterSpec,
  type BGPPeer,
  type BGPPeerSpec,
  type BlockAffinity,
  type IPPool,
  type IPPoolSpec,
  type Node,
} from '../../../src/api/types.js'

export interface NodeOpts {
  v4?: string
  v6?: string
  as?: number
  clusterId?: string
  labels?: Record<string, string>
}

export function node(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: API_VERSION,
    kind: 'Node',
    metadata: { name, ...(o.labels && { labels: o.labels }) },
    spec: {
      bgp: {
        ...(o.v4 !== undefined && { ipv4Address: o.v4 }),
        ...(o.v6 !== undefined && { ipv6Address: o.v6 }),
        ...(o.as !== undefined && { asNumber: o.as }),
        ...(o.clusterId !== undefined && { routeReflectorClusterID: o.clusterId }),
      },
    },
  }
}

export function peer(name: string, spec: BGPPeerSpec): BGPPeer {
  return { apiVersion: API_VERSION, kind: 'BGPPeer', metadata: { name }, spec }
}

export function bgpConfig(name: string, spec: BGPConfigurationSpec): BGPConfiguration {
  return { apiVersion: API_VERSION, kind: 'BGPConfiguration', metadata: { name }, spec }
}

export function bgpFilter(name: string, spec: BGPFilterSpec): BGPFilter {
  return { apiVersion: API_VERSION, kind: 'BGPFilter', metadata: { name }, spec }
}

export function pool(name: string, spec: IPPoolSpec): IPPool {
  return { apiVersion: API_VERSION, kind: 'IPPool', metadata: { name }, spec }
}

export function affinity(nodeName: string, cidr: string, state: BlockAffinity['state'] = 'confirmed'): BlockAffinity {
  return { node: nodeName, cidr, state }
}

export interface SnapshotParts {
  nodes?: Node[]
  peers?: BGPPeer[]
  configs?: BGPConfiguration[]
  pools?: IPPool[]
  filters?: BGPFilter[]
  affinities?: BlockAffinity[]
  revision?: number
}

export function snapshot(p: SnapshotParts): Snapshot {
  return {
    revision: p.revision ?? 1,
    nodes: new Map((p.nodes ?? []).map((r) => [r.metadata.name, r])),
    bgpPeers: new Map((p.peers ?? []).map((r) => [r.metadata.name, r])),
    bgpConfigurations: new Map((p.configs ?? []).map((r) => [r.metadata.name, r])),
    bgpFilters: new Map((p.filters ?? []).map((r) => [r.metadata.name, r])),
    ipPools: new Map((p.pools ?? []).map((r) => [r.metadata.name, r])),
    blockAffinities: new Map((p.affinities ?? []).map((a) => [`${a.node}/${a.cidr}`, a])),
    invalid: new Map(),
  }
}

/** The three-node lab most scenarios start from: 10.99.0.1-3 / fd99::1-3, one block each. */
export function threeNodes(extra: Partial<NodeOpts> = {}): Node[] {
  return [1, 2, 3].map((i) => node(`node-${i}`, { v4: `10.99.0.${i}/24`, v6: `fd99::${i}/64`, ...extra }))
}

export const defaultPools = (): IPPool[] => [
  pool('default-ipv4-ippool', { cidr: '10.99.128.0/17', blockSize: 26 }),
  pool('default-ipv6-ippool', { cidr: 'fd99:100::/48', blockSize: 122 }),
]

export const blocksOf = (i: number): BlockAffinity[] => [
  affinity(`node-${i}`, `10.99.${128 + i}.0/26`),
  affinity(`node-${i}`, `fd99:100:0:${i}::/122`),
]
