import type { BGPPeerSpec, IPPoolSpec, NodeBGPSpec } from '../../../src/api/types.js'
import { affinityKeyOf, keyOf, nodeResource, NODE_A, resource, type ApplyLab } from './apply-lab.js'

/**
 * Fifty datastore changes that do not concern A's session with B: other peers (at
 * unreachable addresses), pools, blocks of A and of other nodes, other nodes without an
 * IPv4 address, labels, node-wide BGP settings. Each write is one etcd revision.
 */
export interface UnrelatedChange {
  readonly what: string
  write(lab: ApplyLab): Promise<number>
}

const peer = (name: string, spec: BGPPeerSpec) => resource('BGPPeer', name, spec)
const pool = (name: string, spec: IPPoolSpec) => resource('IPPool', name, { blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true, ...spec })
const node = (name: string, bgp: NodeBGPSpec | undefined, labels: Record<string, string>) =>
  bgp === undefined ? resource('Node', name, {}, labels) : nodeResource(name, bgp, labels)
const bgpConfig = (spec: object) => resource('BGPConfiguration', 'default', spec)

export function unrelatedChanges(net: number): UnrelatedChange[] {
  const ip = (host: number) => `10.99.${net}.${host}`
  const v6 = (host: string) => `fd99:${net}:1::${host}`
  const putPeer = (name: string, spec: BGPPeerSpec): UnrelatedChange => ({
    what: `put BGPPeer ${name} ${JSON.stringify(spec)}`,
    write: (lab) => lab.put(peer(name, spec)),
  })
  const delPeer = (name: string): UnrelatedChange => ({
    what: `delete BGPPeer ${name}`,
    write: (lab) => lab.remove(keyOf(peer(name, {}))),
  })
  const putPool = (name: string, spec: IPPoolSpec): UnrelatedChange => ({
    what: `put IPPool ${name} ${JSON.stringify(spec)}`,
    write: (lab) => lab.put(pool(name, spec)),
  })
  const delPool = (name: string): UnrelatedChange => ({
    what: `delete IPPool ${name}`,
    write: (lab) => lab.remove(keyOf(pool(name, { cidr: '0.0.0.0/0' }))),
  })
  const putAffinity = (nodeName: string, cidr: string, state: 'confirmed' | 'pending' = 'confirmed'): UnrelatedChange => ({
    what: `affinity ${nodeName} ${cidr} ${state}`,
    write: (lab) => lab.affinity(nodeName, cidr, state),
  })
  const delAffinity = (nodeName: string, cidr: string): UnrelatedChange => ({
    what: `delete affinity ${nodeName} ${cidr}`,
    write: (lab) => lab.remove(affinityKeyOf(nodeName, cidr)),
  })
  const putNode = (name: string, bgp: NodeBGPSpec | undefined, labels: Record<string, string>): UnrelatedChange => ({
    what: `put Node ${name} ${JSON.stringify({ bgp, labels })}`,
    write: (lab) => lab.put(node(name, bgp, labels)),
  })
  const delNode = (name: string): UnrelatedChange => ({
    what: `delete Node ${name}`,
    write: (lab) => lab.remove(keyOf(node(name, undefined, {}))),
  })
  const putConfig = (spec: object): UnrelatedChange => ({
    what: `put BGPConfiguration default ${JSON.stringify(spec)}`,
    write: (lab) => lab.put(bgpConfig(spec)),
  })

  const asn = 65001
  return [
    putPeer('global-50', { peerIP: ip(50), asNumber: asn }),
    putPeer('global-51', { peerIP: ip(51), asNumber: asn }),
    putPeer('global-52', { peerIP: ip(52), asNumber: asn }),
    putPeer('a-60', { node: NODE_A, peerIP: ip(60), asNumber: asn }),
    putPeer('a-61', { node: NODE_A, peerIP: ip(61), asNumber: 64512 }),
    putPeer('c-70', { node: 'node-c', peerIP: ip(70), asNumber: asn }),
    putPool('pool-244', { cidr: '10.244.0.0/16' }),
    putPool('pool-v6', { cidr: 'fd00:244::/48', blockSize: 122 }),
    putAffinity(NODE_A, '10.244.1.0/26'),
    putAffinity(NODE_A, '10.244.2.0/26'),
    putAffinity('node-c', '10.244.9.0/26'),
    putAffinity(NODE_A, 'fd00:244::/122'),
    putNode('node-c', undefined, { rack: 'r1' }),
    putNode('node-d', { ipv6Address: `${v6('d')}/64` }, { rack: 'r1' }),
    putNode('node-c', undefined, { rack: 'r2' }),
    putPool('pool-244', { cidr: '10.244.0.0/16', disabled: true }),
    putPool('pool-244', { cidr: '10.244.0.0/16', disabled: true, disableBGPExport: true }),
    putPool('pool-244', { cidr: '10.244.0.0/16', disabled: true, disableBGPExport: false }),
    putPeer('global-53', { peerIP: ip(53), asNumber: asn, sourceAddress: 'None' }),
    putPeer('selected-80', { nodeSelector: 'all()', peerIP: ip(80), asNumber: asn }),
    delPeer('global-50'),
    delPeer('c-70'),
    delAffinity(NODE_A, '10.244.1.0/26'),
    putAffinity(NODE_A, '10.244.3.0/26', 'pending'),
    putAffinity(NODE_A, '10.244.3.0/26'),
    putNode('node-e', { ipv6Address: `${v6('e')}/64` }, { rack: 'r3' }),
    delNode('node-d'),
    putNode('node-e', { ipv6Address: `${v6('e')}/64` }, { rack: 'r4', zone: 'z1' }),
    putPool('vxlan-245', { cidr: '10.245.0.0/16', vxlanMode: 'Always' }),
    delPool('vxlan-245'),
    putPeer('global-90', { peerIP: `${ip(90)}:1790`, asNumber: asn }),
    putPeer('global-91', { peerIP: ip(91), asNumber: asn, keepOriginalNextHop: true }),
    putPeer('global-51', { peerIP: ip(51), asNumber: 65002 }),
    putPeer('global-92', { peerIP: ip(92), asNumber: asn, ttlSecurity: 2 }),
    putPeer('global-93', { peerIP: ip(93), asNumber: asn, maxRestartTime: '90s' }),
    putPeer('global-94', { peerIP: ip(94), asNumber: asn, numAllowedLocalASNumbers: 2 }),
    putConfig({ serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] }),
    putConfig({
      serviceClusterIPs: [{ cidr: '10.96.0.0/12' }],
      communities: [{ name: 'pods', value: '64512:100' }],
      prefixAdvertisements: [{ cidr: '10.244.0.0/16', communities: ['pods', '64512:200:300'] }],
    }),
    putConfig({ logSeverityScreen: 'Debug' }),
    putConfig({ logSeverityScreen: 'Info' }),
    delPeer('a-60'),
    delAffinity('node-c', '10.244.9.0/26'),
    putAffinity('node-c', 'fd00:244::40/122'),
    delPool('pool-v6'),
    delAffinity(NODE_A, 'fd00:244::/122'),
    delNode('node-e'),
    delNode('node-c'),
    delPeer('selected-80'),
    delPool('pool-244'),
    delAffinity(NODE_A, '10.244.2.0/26'),
  ]
}
