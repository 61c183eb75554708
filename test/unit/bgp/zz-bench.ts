import { buildIntent } from '../../../src/bgp/intent/index.js'
import { loadTemplates, renderBirdConfig } from '../../../src/bgp/render/index.js'
import { affinity, bgpConfig, node, peer, pool, snapshot } from './builders.js'
const N = 5000
function make() {
  const nodes = []
  const aff = []
  for (let i = 0; i < N; i++) {
    const a = `10.${99 + Math.floor(i / 60000)}.${Math.floor(i / 250)}.${(i % 250) + 1}`
    const rr = i < 3
    nodes.push(node(`node-${i}`, { v4: `${a}/16`, v6: `fd99::${i.toString(16)}/64`, ...(rr && { clusterId: '244.0.0.1', labels: { rr: 'true' } }) }))
    aff.push(affinity(`node-${i}`, `10.128.${Math.floor(i / 4)}.${(i % 4) * 64}/26`))
  }
  return snapshot({ nodes, affinities: aff, configs: [bgpConfig('default', { nodeToNodeMeshEnabled: false })], peers: [peer('rrs', { nodeSelector: 'all()', peerSelector: 'has(rr)' })], pools: [pool('p', { cidr: '10.128.0.0/9' })] })
}
const t = loadTemplates()
for (const who of ['node-100', 'node-0', 'node-100', 'node-0']) {
  const s = make()
  const t0 = performance.now()
  const i = buildIntent({ snapshot: s, nodeName: who })
  const t1 = performance.now()
  const a = renderBirdConfig(i.v4, 4, t), b = renderBirdConfig(i.v6, 6, t)
  const t2 = performance.now()
  console.log(who, 'intent', (t1 - t0).toFixed(1), 'render', (t2 - t1).toFixed(1), 'peers', i.v4.enabled ? i.v4.peers.length : 0, a.length + b.length)
}
// mesh 5000
{
  const s = make()
  ;(s.bgpConfigurations as Map<string, unknown>).clear()
  ;(s.bgpPeers as Map<string, unknown>).clear()
  const t0 = performance.now()
  const i = buildIntent({ snapshot: s, nodeName: 'node-100' })
  const a = renderBirdConfig(i.v4, 4, t), b = renderBirdConfig(i.v6, 6, t)
  console.log('mesh', (performance.now() - t0).toFixed(1), i.v4.enabled ? i.v4.peers.length : 0, a.length + b.length)
}
