/**
 * projectcalico.org/v3 resource shapes as stored in etcd (Calico's JSON).
 * These are the *wire* types: what a datastore value or a manifest may hold after
 * validation. Validation lives in ./validate/*; nothing reaches a BIRD config without it.
 */

export const API_VERSION = 'projectcalico.org/v3' as const

export interface ObjectMeta {
  name: string
  /** Only workloadendpoints are namespaced. */
  namespace?: string
  /** The etcd mod revision of the key, never stored in the value. */
  resourceVersion?: string
  uid?: string
  creationTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export interface Resource<K extends string, S, St = undefined> {
  apiVersion: typeof API_VERSION
  kind: K
  metadata: ObjectMeta
  spec: S
  status?: St
}

// ---- Node -----------------------------------------------------------------

export interface NodeBGPSpec {
  /** Absent: inherit from BGPConfiguration / 64512. Stored as a number (asdot accepted on input). */
  asNumber?: number
  /** CIDR form, e.g. "10.99.0.2/24". */
  ipv4Address?: string
  /** CIDR form, e.g. "fd99::2/64". */
  ipv6Address?: string
  ipv4IPIPTunnelAddr?: string
  routeReflectorClusterID?: string
}

export interface NodeSpec {
  bgp?: NodeBGPSpec
  orchRefs?: { nodeName?: string; orchestrator: string }[]
}

export type Node = Resource<'Node', NodeSpec>

// ---- BGPPeer --------------------------------------------------------------

export interface SecretKeyRef {
  name: string
  key: string
}

export interface BGPPassword {
  secretKeyRef: SecretKeyRef
}

export type SourceAddress = 'UseNodeIP' | 'None'

export interface BGPPeerSpec {
  /** Name of a node this peering applies to; absent with nodeSelector absent = global. */
  node?: string
  /** Selector over node labels this peering applies to. */
  nodeSelector?: string
  /** Address, optionally with port: "10.0.0.1", "10.0.0.1:1790", "fd00::1", "[fd00::1]:1790". */
  peerIP?: string
  /** Selector over Calico nodes to peer with (instead of peerIP). */
  peerSelector?: string
  asNumber?: number
  password?: BGPPassword
  keepOriginalNextHop?: boolean
  sourceAddress?: SourceAddress
  /** Go duration string, e.g. "120s", "2m". */
  maxRestartTime?: string
  ttlSecurity?: number
  numAllowedLocalASNumbers?: number
  /** This node's AS toward this peer (BIRD `local as`), instead of the node's own AS. */
  localASNumber?: number
  /** Auto: BIRD's default (self toward eBGP, unchanged toward iBGP); Self / Keep force it. */
  nextHopMode?: NextHopMode
  /** Manual: the selected nodes do not peer back automatically. */
  reversePeering?: ReversePeering
  /** Gateway the peer is reached through: a static route to the peer via it. */
  reachableBy?: string
  /** BGPFilter names, applied in this order before the default export/import policy. */
  filters?: string[]
}

export type NextHopMode = 'Auto' | 'Self' | 'Keep'
export type ReversePeering = 'Auto' | 'Manual'

export type BGPPeer = Resource<'BGPPeer', BGPPeerSpec>

// ---- BGPConfiguration -----------------------------------------------------

export type LogSeverity = 'Debug' | 'Info' | 'Warning' | 'Error' | 'Fatal' | 'None'

export interface Community {
  name: string
  /** "aa:nn" or "aa:nn:mm" (large). */
  value: string
}

export interface PrefixAdvertisement {
  cidr: string
  /** Community names (from `communities`) or literal values. */
  communities: string[]
}

export interface ServiceClusterIPBlock {
  cidr: string
}

export interface BGPConfigurationSpec {
  logSeverityScreen?: LogSeverity
  nodeToNodeMeshEnabled?: boolean
  asNumber?: number
  listenPort?: number
  communities?: Community[]
  prefixAdvertisements?: PrefixAdvertisement[]
  serviceClusterIPs?: ServiceClusterIPBlock[]
  serviceExternalIPs?: ServiceClusterIPBlock[]
  ignoredInterfaces?: string[]
  nodeMeshPassword?: BGPPassword
  /** Go duration string. */
  nodeMeshMaxRestartTime?: string
  bindMode?: 'None' | 'NodeIP'
  /** Which pools' routes BIRD programs into the kernel (see intent/prepare.ts). */
  programClusterRoutes?: ProgramClusterRoutes
}

export type ProgramClusterRoutes = 'Enabled' | 'Disabled' | 'EnabledIPIPOnly' | 'EnabledNoEncapOnly'

export type BGPConfiguration = Resource<'BGPConfiguration', BGPConfigurationSpec>

// ---- BGPFilter ------------------------------------------------------------

export type BGPFilterAction = 'Accept' | 'Reject'
export type BGPFilterMatchOperator = 'Equal' | 'NotEqual' | 'In' | 'NotIn'

export interface BGPFilterRule {
  action: BGPFilterAction
  cidr?: string
  matchOperator?: BGPFilterMatchOperator
  prefixLength?: { min?: number; max?: number }
  source?: 'RemotePeers'
  interface?: string
}

export interface BGPFilterSpec {
  exportV4?: BGPFilterRule[]
  importV4?: BGPFilterRule[]
  exportV6?: BGPFilterRule[]
  importV6?: BGPFilterRule[]
}

export type BGPFilter = Resource<'BGPFilter', BGPFilterSpec>

// ---- IPPool ---------------------------------------------------------------

export interface IPPoolSpec {
  cidr: string
  blockSize?: number
  ipipMode?: 'Never' | 'Always' | 'CrossSubnet'
  vxlanMode?: 'Never' | 'Always' | 'CrossSubnet'
  natOutgoing?: boolean
  disabled?: boolean
  disableBGPExport?: boolean
  nodeSelector?: string
  allowedUses?: ('Workload' | 'Tunnel')[]
}

export type IPPool = Resource<'IPPool', IPPoolSpec>

// ---- CalicoNodeStatus ------------------------------------------------------

export type NodeStatusClass = 'Agent' | 'BGP' | 'Routes'

export interface CalicoNodeStatusSpec {
  node: string
  classes: NodeStatusClass[]
  updatePeriodSeconds?: number
}

export type BirdState = 'Ready' | 'NotReady'

export interface BirdDaemonStatus {
  state: BirdState
  version?: string
  routerID?: string
  lastBootTime?: string
  lastReconfigurationTime?: string
}

export type PeerType = 'NodeMesh' | 'NodePeer' | 'GlobalPeer'

export interface BGPPeerStatus {
  peerIP: string
  type: PeerType
  state: string
  since: string
}

export type RouteType = 'FIB' | 'RIB'
export type RouteSourceType = 'Kernel' | 'Static' | 'Direct' | 'NodeMesh' | 'BGPPeer'

export interface RouteStatus {
  type: RouteType
  destination: string
  gateway: string
  interface: string
  learnedFrom: { sourceType: RouteSourceType; peerIP?: string }
}

export interface CalicoNodeStatusStatus {
  lastUpdated?: string
  agent?: { birdV4?: BirdDaemonStatus; birdV6?: BirdDaemonStatus }
  bgp?: {
    numberEstablishedV4: number
    numberEstablishedV6: number
    numberNotEstablishedV4: number
    numberNotEstablishedV6: number
    peersV4?: BGPPeerStatus[]
    peersV6?: BGPPeerStatus[]
  }
  routes?: { routesV4?: RouteStatus[]; routesV6?: RouteStatus[] }
}

export type CalicoNodeStatus = Resource<'CalicoNodeStatus', CalicoNodeStatusSpec, CalicoNodeStatusStatus>

// ---- WorkloadEndpoint (read-only for falconer: only spec.node matters) ------

export interface WorkloadEndpointSpec {
  node: string
  orchestrator?: string
  workload?: string
  endpoint?: string
  interfaceName?: string
  ipNetworks?: string[]
}

export type WorkloadEndpoint = Resource<'WorkloadEndpoint', WorkloadEndpointSpec>

// ---- IPAM (not v3 resources: raw values under /calico/ipam/v2) --------------

export type AffinityState = 'confirmed' | 'pending' | 'pendingDeletion'

/** A block affinity: this node owns block `cidr`. */
export interface BlockAffinity {
  node: string
  cidr: string
  state: AffinityState
}

// ---- unions ----------------------------------------------------------------

export type AnyResource = Node | BGPPeer | BGPConfiguration | BGPFilter | IPPool | CalicoNodeStatus | WorkloadEndpoint
export type ResourceKind = AnyResource['kind']

export const KINDS: readonly ResourceKind[] = [
  'Node', 'BGPPeer', 'BGPConfiguration', 'BGPFilter', 'IPPool', 'CalicoNodeStatus', 'WorkloadEndpoint',
]

/** etcd path segment per kind (Calico v3 layout). */
export const PLURALS: Record<ResourceKind, string> = {
  Node: 'nodes',
  BGPPeer: 'bgppeers',
  BGPConfiguration: 'bgpconfigurations',
  BGPFilter: 'bgpfilters',
  IPPool: 'ippools',
  CalicoNodeStatus: 'caliconodestatuses',
  WorkloadEndpoint: 'workloadendpoints',
}

export type ResourceOfKind<K extends ResourceKind> = Extract<AnyResource, { kind: K }>
