import t from 'tap'
import { buildIntent } from '../../../src/bgp/intent/index.js'
import { globalSection } from '../../../src/backends/gobgp/apply.js'
import { localBlocks, originatedPrefixes, renderGobgpConfig } from '../../../src/backends/gobgp/render.js'
import { bgpConfig, bgpFilter, blocksOf, defaultPools, peer, pool, snapshot, threeNodes } from './builders.js'

/** What the gobgpd TOML must say beyond the goldens: per-session isolation, refusals, translation. */

/** The `[[neighbors]]` section whose description is `name`, with its comment line. */
function neighborText(text: string, name: string): string | undefined {
  return text.split('\n\n').find((s) => s.includes('[[neighbors]]') && s.includes(`description = "${name}"`))
}

const base = { nodes: threeNodes(), pools: defaultPools(), affinities: [...blocksOf(1), ...blocksOf(2)] }

t.test('an unrelated change leaves every other session byte-identical', async (t) => {
  const before = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snapshot(base) })).text
  const after = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snapshot({ ...base, peers: [peer('tor', { peerIP: '10.99.0.254', asNumber: 65000 })], affinities: [...base.affinities, ...blocksOf(3)] }) })).text
  t.not(after, before, 'the file changed')
  t.match(after, 'description = "Global_10_99_0_254"')
  for (const name of ['Mesh_10_99_0_2', 'Mesh_10_99_0_3', 'Mesh_fd99__2', 'Mesh_fd99__3']) {
    const s = neighborText(before, name)
    t.ok(s, `${name} rendered`)
    t.equal(neighborText(after, name), s, `${name} section unchanged`)
  }
  t.equal(globalSection(after), globalSection(before), '[global] unchanged: a SIGHUP suffices')
})

t.test('global section: what gobgpd reads only at start', async (t) => {
  const text = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snapshot({ ...base, configs: [bgpConfig('default', { listenPort: 1790 })] }) })).text
  const g = globalSection(text)
  t.match(g, /^\[global\.config\]$/m)
  t.match(g, /port = 1790/)
  t.match(g, /\[global\.apply-policy\.config\]/)
  t.notMatch(g, /neighbors|defined-sets|policy-definitions\]/, 'nothing but [global…] tables')
})

t.test('BGPFilters: translated rules as statements on that peer; interface rules refused', async (t) => {
  const snap = snapshot({
    ...base,
    configs: [bgpConfig('default', { nodeToNodeMeshEnabled: false })],
    peers: [
      peer('tor', { peerIP: '10.99.0.254', asNumber: 65000, filters: ['remote-only'], nextHopMode: 'Self' }),
      peer('tor2', { peerIP: '10.99.0.253', asNumber: 65000, filters: ['by-iface'] }),
    ],
    filters: [
      bgpFilter('remote-only', {
        exportV4: [{ action: 'Reject', matchOperator: 'NotIn', cidr: '10.99.128.0/17', source: 'RemotePeers' }],
        importV4: [{ action: 'Reject', matchOperator: 'Equal', cidr: '10.99.200.0/24' }],
      }),
      bgpFilter('by-iface', { exportV4: [{ action: 'Accept', interface: 'eth*' }] }),
    ],
  })
  const r = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snap }))
  const text = r.text
  t.match(text, /name = "calico_export_Global_10_99_0_254_export_remote-only_0_internal"[\s\S]*?match-set-options = "invert"[\s\S]*?neighbor-set = "peer_Global_10_99_0_254"[\s\S]*?route-type = "internal"[\s\S]*?route-disposition = "reject-route"/, 'export rule from remote peers: iBGP-learned')
  t.match(text, /name = "calico_export_Global_10_99_0_254_export_remote-only_0_external"[\s\S]*?route-type = "external"/, 'and eBGP-learned')
  t.match(text, /name = "calico_import_Global_10_99_0_254_import_remote-only_0"[\s\S]*?prefix-set = "bgpfilter_remote-only_import_0_v4"[\s\S]*?route-disposition = "reject-route"/, 'import rule')
  t.match(text, /prefix-set-name = "bgpfilter_remote-only_import_0_v4"\n  prefix-list = \[\n    \{ ip-prefix = "10\.99\.200\.0\/24" \},/, 'Equal: the exact prefix')
  t.match(text, /set-next-hop = "self"/, 'nextHopMode Self')
  const exportText = text.slice(text.indexOf('name = "calico_export"'))
  t.ok(exportText.indexOf('remote-only_0_internal') < exportText.indexOf('calico_export_blocks_v4'), "the peer's rules come before the shared ones")
  t.match(neighborText(text, 'Global_10_99_0_253'), 'admin-down = true', 'a session with an interface rule is held down')
  t.notMatch(neighborText(text, 'Global_10_99_0_254'), 'admin-down', 'the other is not')
  t.same(r.problems, [{
    key: '/calico/resources/v3/projectcalico.org/bgpfilters/by-iface',
    field: 'spec.exportV4[0].interface',
    reason: 'gobgpd cannot match routes by interface; session Global_10_99_0_253 is held down (admin-down) rather than filtered differently',
  }])
})

t.test('withheld password: admin-down; a password makes it 0600 material', async (t) => {
  const snap = snapshot({ ...base, peers: [peer('locked', { peerIP: '10.99.0.254', asNumber: 65000, password: { secretKeyRef: { name: 'absent', key: 'k' } } })] })
  const text = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snap })).text
  t.match(neighborText(text, 'Global_10_99_0_254'), 'admin-down = true')
  t.notMatch(text, 'auth-password')
  const secrets = new Map([['absent/k', 'sekret-1']])
  const withPw = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snap, secrets })).text
  t.match(neighborText(withPw, 'Global_10_99_0_254'), 'auth-password = "sekret-1"', 'the password, once it can be read')
  t.notMatch(neighborText(withPw, 'Global_10_99_0_254'), 'admin-down')
})

t.test('origination: blocks and service ranges; the kernel gets blocks only', async (t) => {
  const snap = snapshot({ ...base, configs: [bgpConfig('default', { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] })] })
  const intent = buildIntent({ nodeName: 'node-1', snapshot: snap })
  const o = originatedPrefixes(intent)
  t.ok(o.v4.includes('10.96.0.0/12'), 'service range originated')
  if (!intent.v4.enabled || !intent.v6.enabled) throw new Error('both families enabled')
  t.same(o.v4, [...intent.v4.blocks, '10.96.0.0/12'].sort())
  t.same(o.v6, intent.v6.blocks)
  t.same(localBlocks(intent), [...intent.v4.blocks, ...intent.v6.blocks])
})

t.test('a block in a pool with disableBGPExport is not originated; the kernel still blackholes it', async (t) => {
  const pools = [pool('default-ipv4-ippool', { cidr: '10.99.128.0/17', blockSize: 26, disableBGPExport: true }), pool('default-ipv6-ippool', { cidr: 'fd99:100::/48', blockSize: 122 })]
  const intent = buildIntent({ nodeName: 'node-1', snapshot: snapshot({ ...base, pools }) })
  const o = originatedPrefixes(intent)
  t.same(o.v4, [], 'the IPv4 block is not originated')
  t.same(o.v6, ['fd99:100:0:1::/122'], 'the IPv6 block (another pool) is')
  t.same(localBlocks(intent), ['10.99.129.0/26', 'fd99:100:0:1::/122'], 'both blackholed')
})
