import { API_VERSION, type AnyResource, type BGPConfiguration, type BGPPeer, type CalicoNodeStatus, type IPPool, type Node, type WorkloadEndpoint } from '../../../src/api/types.js'

/** One valid resource of every kind, as an operator would write it. */

export const node = (name: string, ip = '10.99.0.1'): Node => ({
  apiVersion: API_VERSION,
  kind: 'Node',
  metadata: { name, labels: { rack: 'r1' } },
  spec: { bgp: { ipv4Address: `${ip}/24`, asNumber: 64512 } },
})

export const bgpPeer = (name: string, peerIP = '10.99.0.254'): BGPPeer => ({
  apiVersion: API_VERSION,
  kind: 'BGPPeer',
  metadata: { name },
  spec: { peerIP, asNumber: 65001 },
})

export const bgpConfiguration = (name = 'default'): BGPConfiguration => ({
  apiVersion: API_VERSION,
  kind: 'BGPConfiguration',
  metadata: { name },
  spec: { asNumber: 64512, nodeToNodeMeshEnabled: true, logSeverityScreen: 'Info' },
})

export const ipPool = (name = 'default-ipv4-ippool', cidr = '192.168.0.0/16'): IPPool => ({
  apiVersion: API_VERSION,
  kind: 'IPPool',
  metadata: { name },
  spec: { cidr, blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true },
})

export const calicoNodeStatus = (name = 'node-1-status'): CalicoNodeStatus => ({
  apiVersion: API_VERSION,
  kind: 'CalicoNodeStatus',
  metadata: { name },
  spec: { node: 'node-1', classes: ['Agent', 'BGP'], updatePeriodSeconds: 10 },
})

export const workloadEndpoint = (name = 'node--1-k8s-pod-eth0', namespace = 'default'): WorkloadEndpoint => ({
  apiVersion: API_VERSION,
  kind: 'WorkloadEndpoint',
  metadata: { name, namespace },
  spec: { node: 'node-1', orchestrator: 'k8s', endpoint: 'eth0', interfaceName: 'cali0123456789a', ipNetworks: ['192.168.0.5/32'] },
})

export const oneOfEachKind = (): AnyResource[] => [
  node('node-1'),
  bgpPeer('tor-1'),
  bgpConfiguration(),
  ipPool(),
  calicoNodeStatus(),
  workloadEndpoint(),
]
