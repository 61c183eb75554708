import { buildIntent } from '../../../src/bgp/intent/index.js'
import { loadTemplates, renderBirdConfig } from '../../../src/bgp/render/index.js'
import { snapshot, threeNodes, defaultPools, blocksOf, peer, bgpConfig } from './builders.js'
const s = snapshot({ nodes: threeNodes(), pools: defaultPools(), affinities: [...blocksOf(1), ...blocksOf(2)],
  peers: [peer('tor', { peerIP: '10.99.0.254:1790', asNumber: 65001, keepOriginalNextHop: true, ttlSecurity: 1, maxRestartTime: '2m', password: { secretKeyRef: { name: 'bgp', key: 'tor' } } })],
  configs: [bgpConfig('default', { logSeverityScreen: 'Debug', communities: [{ name: 'c1', value: '65000:100' }], prefixAdvertisements: [{ cidr: '10.99.128.0/17', communities: ['c1', '1:2:3'] }], serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] })] })
const i = buildIntent({ snapshot: s, nodeName: 'node-1', secrets: new Map([['bgp/tor', 's3cret']]) })
const t = loadTemplates()
console.log(JSON.stringify(i.problems))
process.stdout.write(renderBirdConfig(i.v4, 4, t))
console.log('=========')
process.stdout.write(renderBirdConfig(i.v6, 6, t))
