import t from 'tap'
import type { Snapshot } from '../../../src/api/snapshot.js'
import { buildIntent } from '../../../src/bgp/intent/index.js'
import { loadTemplates, renderBirdConfig } from '../../../src/bgp/render/index.js'
import { affinity, bgpConfig, blocksOf, defaultPools, node, peer, pool, snapshot, type SnapshotParts } from './builders.js'
import { bgpProtocolBlocks, bgpTemplateBlock } from './protocol-blocks.js'

/**
 * Invariant 6 in docs/design.md: BIRD 1.6 restarts a BGP session on `configure` when that protocol's options
 * change (filter changes are soft). So a datastore change that does not concern a peer
 * must leave that peer's protocol block, and the template it inherits, byte-identical.
 */
const templates = loadTemplates()

const base = (): SnapshotParts => ({
  nodes: [1, 2, 3, 4].map((i) =>
    node(`node-${i}`, { v4: `10.99.0.${i}/24`, v6: `fd99::${i}/64`, labels: { rack: i <= 2 ? 'r1' : 'r2' } }),
  ),
  configs: [
    bgpConfig('default', {
      communities: [{ name: 'pods', value: '64512:100' }],
      prefixAdvertisements: [{ cidr: '10.99.128.0/17', communities: ['pods'] }],
      serviceClusterIPs: [{ cidr: '10.99.96.0/20' }],
    }),
  ],
  peers: [
    peer('tor-r1', { nodeSelector: "rack == 'r1'", peerIP: '10.99.1.254', asNumber: 65001 }),
    peer('tor-v6', { peerIP: 'fd99::254', asNumber: 65001, keepOriginalNextHop: true }),
    peer('core', { peerIP: '10.99.0.250', asNumber: 65000, maxRestartTime: '2m' }),
    peer('core-2', { peerIP: '10.99.0.251', asNumber: 65000, ttlSecurity: 1 }),
  ],
  pools: defaultPools(),
  affinities: [...blocksOf(1), ...blocksOf(2)],
})

function render(s: Snapshot): string[] {
  const intent = buildIntent({ snapshot: s, nodeName: 'node-1' })
  return [renderBirdConfig(intent.v4, 4, templates), renderBirdConfig(intent.v6, 6, templates)]
}

const before = render(snapshot(base()))

const changes: [string, (p: SnapshotParts) => SnapshotParts][] = [
  ['another node joins (new mesh peer)', (p) => ({ ...p, nodes: [...p.nodes!, node('node-5', { v4: '10.99.0.5/24', v6: 'fd99::5/64' })] })],
  ['another node leaves', (p) => ({ ...p, nodes: p.nodes!.filter((n) => n.metadata.name !== 'node-4') })],
  ['a global peer is removed', (p) => ({ ...p, peers: p.peers!.filter((x) => x.metadata.name !== 'core-2') })],
  ['a global peer is added', (p) => ({ ...p, peers: [...p.peers!, peer('core-3', { peerIP: '10.99.0.252', asNumber: 65000 })] })],
  ['a peer for another rack changes', (p) => ({ ...p, peers: [...p.peers!, peer('tor-r2', { nodeSelector: "rack == 'r2'", peerIP: '10.99.2.254', asNumber: 65002 })] })],
  ['a pool is added', (p) => ({ ...p, pools: [...p.pools!, pool('extra', { cidr: '10.99.32.0/20' })] })],
  ['a pool stops being exported', (p) => ({ ...p, pools: [pool('default-ipv4-ippool', { cidr: '10.99.128.0/17', disableBGPExport: true }), ...p.pools!.slice(1)] })],
  ['this node gets a block', (p) => ({ ...p, affinities: [...p.affinities!, affinity('node-1', '10.99.200.0/26'), affinity('node-1', 'fd99:100:0:99::/122')] })],
  ['another node gets a block', (p) => ({ ...p, affinities: [...p.affinities!, affinity('node-3', '10.99.201.0/26')] })],
  [
    'communities and service IPs change',
    (p) => ({
      ...p,
      configs: [
        bgpConfig('default', {
          communities: [{ name: 'pods', value: '64512:200' }],
          prefixAdvertisements: [{ cidr: '10.99.128.0/17', communities: ['pods', '1:2:3'] }],
          serviceClusterIPs: [{ cidr: '10.99.96.0/19' }],
          serviceExternalIPs: [{ cidr: '10.99.112.0/24' }],
        }),
      ],
    }),
  ],
  ['another node gets labels', (p) => ({ ...p, nodes: p.nodes!.map((n) => (n.metadata.name === 'node-3' ? { ...n, metadata: { ...n.metadata, labels: { rack: 'r9' } } } : n)) })],
]

for (const [what, change] of changes) {
  t.test(what, async (t) => {
    const after = render(snapshot(change(base())))
    for (const i of [0, 1]) {
      const family = i === 0 ? 'bird.cfg' : 'bird6.cfg'
      t.not(after[i], undefined)
      t.equal(bgpTemplateBlock(after[i]!), bgpTemplateBlock(before[i]!), `${family}: bgp_template unchanged`)
      const old = bgpProtocolBlocks(before[i]!)
      const now = bgpProtocolBlocks(after[i]!)
      let shared = 0
      for (const [name, block] of old) {
        if (!now.has(name)) continue
        shared++
        t.equal(now.get(name), block, `${family}: protocol ${name} byte-identical`)
      }
      t.ok(shared >= 2, `${family}: ${shared} protocols present before and after`)
    }
  })
}

t.test('the change of one peer changes only its own block', async (t) => {
  const p = base()
  const after = render(
    snapshot({ ...p, peers: p.peers!.map((x) => (x.metadata.name === 'core' ? peer('core', { peerIP: '10.99.0.250', asNumber: 65000, maxRestartTime: '3m' }) : x)) }),
  )
  const old = bgpProtocolBlocks(before[0]!)
  const now = bgpProtocolBlocks(after[0]!)
  t.same([...now.keys()], [...old.keys()], 'same protocols')
  const changed = [...old].filter(([name, block]) => now.get(name) !== block).map(([name]) => name)
  t.same(changed, ['Global_10_99_0_250'])
  t.match(now.get('Global_10_99_0_250'), /graceful restart time 180;/)
})

t.test('rendering is deterministic and independent of map order', async (t) => {
  const p = base()
  const reversed: SnapshotParts = {
    nodes: [...p.nodes!].reverse(),
    configs: [...p.configs!].reverse(),
    peers: [...p.peers!].reverse(),
    pools: [...p.pools!].reverse(),
    affinities: [...p.affinities!].reverse(),
  }
  t.same(render(snapshot(reversed)), before)
  t.same(render(snapshot(base())), before)
  t.equal(bgpProtocolBlocks(before[0]!).size, 6, 'v4: three mesh peers, two global, one node-specific')
  t.equal(bgpProtocolBlocks(before[1]!).size, 4, 'v6: three mesh peers, one global')
})
