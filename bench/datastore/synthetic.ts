import type { BGPConfiguration, BGPPeer, IPPool, Node } from '../../src/api/types.js'

/**
 * A synthetic Calico datastore, as an operator following Calico's guidance would build it.
 * Deterministic: node i is always named, addressed and labelled the same way, so the etcd
 * seeded for the agent and the snapshot rendered in-process hold the same resources.
 *
 *   ≤ 200 nodes  node-to-node mesh on (Calico's default; a full mesh stops scaling beyond).
 *   > 200 nodes  mesh off; the first `routeReflectors` nodes are route reflectors
 *                (label route-reflector=true, routeReflectorClusterID 244.0.0.1) and one
 *                BGPPeer `peer-with-route-reflectors` {nodeSelector: all(),
 *                peerSelector: route-reflector == 'true'} — Calico's documented recipe.
 *   every size   `torPeersPerNode` node-specific BGPPeers per node (`spec.node`) to the
 *                two top-of-rack routers of its rack (40 nodes per rack, AS 65000+rack),
 *                and `blocksPerNode` confirmed /26 block affinities per node.
 *
 * So 5,000 nodes come with 10,000 ToR BGPPeers and 5,000 blocks. Nodes are IPv4 only.
 * Every address is in 10.99.0.0/16 (nodes 10.99.1-99.x, ToRs 10.99.100-101.x, benchmark
 * peers 10.99.200+.x): BIRD runs only inside a namespace the benchmark made, where none of
 * them exists, so no packet leaves it. Pod blocks come from 10.64.0.0/12 (never routed
 * outside that namespace either).
 */

export type Topology = 'mesh' | 'route-reflectors'

export interface SyntheticSpec {
  readonly nodes: number
  readonly routeReflectors: number
  readonly torPeersPerNode: number
  readonly blocksPerNode: number
}

export const MESH_LIMIT = 200
export const RR_CLUSTER_ID = '244.0.0.1'
const NODES_PER_RACK = 40
const NODES_PER_OCTET = 250
const MAX_NODES = NODES_PER_OCTET * 99

export const DEFAULT_SPEC: Omit<SyntheticSpec, 'nodes'> = { routeReflectors: 3, torPeersPerNode: 2, blocksPerNode: 1 }

export function topologyOf(nodes: number): Topology {
  return nodes <= MESH_LIMIT ? 'mesh' : 'route-reflectors'
}

export function nodeName(i: number): string {
  return `node-${String(i).padStart(5, '0')}`
}

/** 10.99.1.1 for node 0, 250 nodes per third octet. */
export function nodeAddress(i: number): string {
  if (i < 0 || i >= MAX_NODES) throw new RangeError(`node index ${i} outside 0..${MAX_NODES - 1}`)
  return `10.99.${1 + Math.floor(i / NODES_PER_OCTET)}.${1 + (i % NODES_PER_OCTET)}`
}

/** The nodes the render figures are reported for (and the agent runs as). */
export interface Role {
  readonly role: 'mesh node' | 'route reflector' | 'client'
  readonly index: number
}

export function rolesOf(spec: SyntheticSpec): Role[] {
  const probe = Math.min(spec.routeReflectors, spec.nodes - 1)
  if (topologyOf(spec.nodes) === 'mesh') return [{ role: 'mesh node', index: probe }]
  return [
    { role: 'route reflector', index: 0 },
    { role: 'client', index: probe },
  ]
}

export const CLIENT_INDEX = DEFAULT_SPEC.routeReflectors
export const RR_INDEX = 0

function torAddress(rack: number, side: number): string {
  return `10.99.${100 + Math.floor(rack / 100)}.${(rack % 100) * 2 + 1 + side}`
}

/** Block number `n` of the pod pool 10.64.0.0/12, as a /26. */
function blockCidr(n: number): string {
  const base = (10 << 24) + (64 << 16) + n * 64
  return `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/26`
}

const meta = (name: string, i: number, extra: Partial<Node['metadata']> = {}) => ({
  name,
  uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  creationTimestamp: '2026-01-01T00:00:00Z',
  ...extra,
})

export interface SyntheticDatastore {
  readonly spec: SyntheticSpec
  readonly topology: Topology
  readonly config: BGPConfiguration
  readonly pools: readonly IPPool[]
  readonly nodes: readonly Node[]
  readonly peers: readonly BGPPeer[]
  readonly blocks: readonly { readonly node: string; readonly cidr: string }[]
}

export function syntheticDatastore(spec: SyntheticSpec): SyntheticDatastore {
  const topology = topologyOf(spec.nodes)
  const rr = topology === 'route-reflectors'
  const config: BGPConfiguration = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'BGPConfiguration',
    metadata: meta('default', 0),
    spec: { logSeverityScreen: 'Info', nodeToNodeMeshEnabled: !rr, asNumber: 64512 },
  }
  const pools: IPPool[] = [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'IPPool',
      metadata: meta('default-ipv4-ippool', 0),
      spec: { cidr: '10.64.0.0/12', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true, nodeSelector: 'all()' },
    },
  ]
  const nodes: Node[] = []
  const peers: BGPPeer[] = []
  const blocks: { node: string; cidr: string }[] = []
  for (let i = 0; i < spec.nodes; i++) nodes.push(syntheticNode(spec, i))
  if (rr) {
    peers.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'BGPPeer',
      metadata: meta('peer-with-route-reflectors', 0),
      spec: { nodeSelector: 'all()', peerSelector: "route-reflector == 'true'" },
    })
  }
  for (let i = 0; i < spec.nodes; i++) {
    const name = nodeName(i)
    const rack = Math.floor(i / NODES_PER_RACK)
    for (let side = 0; side < spec.torPeersPerNode; side++) {
      peers.push({
        apiVersion: 'projectcalico.org/v3',
        kind: 'BGPPeer',
        metadata: meta(`${name}-tor-${side}`, i * 10 + side),
        spec: { node: name, peerIP: torAddress(rack, side), asNumber: 65000 + rack },
      })
    }
    for (let b = 0; b < spec.blocksPerNode; b++) blocks.push({ node: name, cidr: blockCidr(i * spec.blocksPerNode + b) })
  }
  return { spec, topology, config, pools, nodes, peers, blocks }
}

export function syntheticNode(spec: SyntheticSpec, i: number): Node {
  const name = nodeName(i)
  const reflector = topologyOf(spec.nodes) === 'route-reflectors' && i < spec.routeReflectors
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'Node',
    metadata: meta(name, i, {
      labels: {
        'kubernetes.io/hostname': name,
        rack: `rack-${Math.floor(i / NODES_PER_RACK)}`,
        ...(reflector && { 'route-reflector': 'true' }),
      },
    }),
    spec: {
      bgp: { ipv4Address: `${nodeAddress(i)}/16`, ...(reflector && { routeReflectorClusterID: RR_CLUSTER_ID }) },
      orchRefs: [{ nodeName: name, orchestrator: 'k8s' }],
    },
  }
}

/**
 * The change the converge and "one change" figures make: a global BGPPeer with an
 * external AS at address number `k` (every node gets a session to it). Under a fixed
 * `name`, successive k move one BGPPeer from address to address instead of adding more.
 */
export function benchPeer(k: number, name = `bench-peer-${k}`): { peer: BGPPeer; protocol: string } {
  const address = `10.99.${200 + Math.floor(k / 250)}.${1 + (k % 250)}`
  return {
    peer: {
      apiVersion: 'projectcalico.org/v3',
      kind: 'BGPPeer',
      metadata: meta(name, 900_000 + k),
      spec: { peerIP: address, asNumber: 65500 },
    },
    protocol: `Global_${address.replace(/\./g, '_')}`,
  }
}
