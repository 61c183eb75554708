import type { ResourceKind } from '../types.js'

/** Kind names as calicoctl accepts them on the command line: singular, plural, short; any case. */
const ALIASES: Readonly<Record<string, ResourceKind>> = {
  node: 'Node',
  nodes: 'Node',
  no: 'Node',
  bgppeer: 'BGPPeer',
  bgppeers: 'BGPPeer',
  bgpp: 'BGPPeer',
  bgpps: 'BGPPeer',
  bp: 'BGPPeer',
  bps: 'BGPPeer',
  bgpconfiguration: 'BGPConfiguration',
  bgpconfigurations: 'BGPConfiguration',
  bgpconfig: 'BGPConfiguration',
  bgpconfigs: 'BGPConfiguration',
  bgpfilter: 'BGPFilter',
  bgpfilters: 'BGPFilter',
  ippool: 'IPPool',
  ippools: 'IPPool',
  ipp: 'IPPool',
  ipps: 'IPPool',
  pool: 'IPPool',
  pools: 'IPPool',
  caliconodestatus: 'CalicoNodeStatus',
  caliconodestatuses: 'CalicoNodeStatus',
  cns: 'CalicoNodeStatus',
  workloadendpoint: 'WorkloadEndpoint',
  workloadendpoints: 'WorkloadEndpoint',
  wep: 'WorkloadEndpoint',
  weps: 'WorkloadEndpoint',
}

export function resolveKind(text: string): ResourceKind | undefined {
  const key = text.toLowerCase()
  return Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined
}
