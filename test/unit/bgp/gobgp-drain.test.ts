import t from 'tap'
import { buildIntent, DRAIN } from '../../../src/bgp/intent/index.js'
import type { PeerIntent } from '../../../src/bgp/intent/types.js'
import { drainPolicy, GOBGP_LOWEST_LOCAL_PREF } from '../../../src/backends/gobgp/drain.js'
import { renderGobgpConfig } from '../../../src/backends/gobgp/render.js'
import { bgpFilter, blocksOf, defaultPools, peer, snapshot, threeNodes } from './builders.js'

/** The drain as gobgpd export statements: drain.ts alone, then in the rendered file. */

const base = { nodes: threeNodes(), pools: defaultPools(), affinities: [...blocksOf(1), ...blocksOf(2)] }

function session(address: string, o: { internal: boolean; localAs?: number }): PeerIntent {
  return {
    name: `p_${address}`, kind: 'Global', origin: 'test', address, asNumber: o.internal ? 64512 : 65000, internal: o.internal,
    passive: false, nextHopKeep: false, nextHopSelf: false, importFilters: [], exportFilters: [],
    ...(o.localAs !== undefined && { localAs: o.localAs }),
  }
}

/** The `[[policy-definitions.statements]]` blocks of calico_export, in order. */
function exportStatements(text: string): string[] {
  const policy = text.slice(text.indexOf('name = "calico_export"'), text.indexOf('# ------------- IPv4 sessions'))
  return policy.split('  [[policy-definitions.statements]]\n').slice(1)
}

t.test('not drained, or no session: nothing', async (t) => {
  t.same(drainPolicy(undefined, 4, 64512, [session('10.99.0.2', { internal: true })]), { neighborSets: [], statements: [] })
  t.same(drainPolicy(DRAIN, 4, 64512, []), { neighborSets: [], statements: [] })
})

t.test('iBGP: one set, GRACEFUL_SHUTDOWN and the lowest LOCAL_PREF gobgpd can send', async (t) => {
  const p = drainPolicy(DRAIN, 4, 64512, [session('10.99.0.2', { internal: true }), session('10.99.0.3', { internal: true })])
  t.same(p.neighborSets, [['drain_internal_v4', ['10.99.0.2', '10.99.0.3']]])
  t.same(p.statements, [{ name: 'drain_internal_v4', neighborSet: 'drain_internal_v4', communities: ['65535:0'], localPref: GOBGP_LOWEST_LOCAL_PREF }])
  t.equal(GOBGP_LOWEST_LOCAL_PREF, 1, 'gobgpd reads set-local-pref = 0 as no action')
  t.equal(drainPolicy({ ...DRAIN, internalLocalPref: 20 }, 4, 64512, [session('10.99.0.2', { internal: true })]).statements[0]?.localPref, 20, 'a value gobgpd can send is sent as is')
})

t.test('eBGP: one statement per local AS, that AS three more times; no LOCAL_PREF', async (t) => {
  const p = drainPolicy(DRAIN, 6, 64512, [
    session('fd99::fe', { internal: false }),
    session('fd99::fd', { internal: false, localAs: 65001 }),
    session('fd99::fc', { internal: false, localAs: 64512 }),
  ])
  t.same(p.neighborSets, [['drain_external_as64512_v6', ['fd99::fe', 'fd99::fc']], ['drain_external_as65001_v6', ['fd99::fd']]])
  t.same(p.statements.map((s) => [s.name, s.prepend, s.localPref, s.communities]), [
    ['drain_external_as64512_v6', { as: 64512, repeat: 3 }, undefined, ['65535:0']],
    ['drain_external_as65001_v6', { as: 65001, repeat: 3 }, undefined, ['65535:0']],
  ])
})

t.test('rendered: drained adds only the drain, first in calico_export, without a disposition', async (t) => {
  const snap = snapshot({
    ...base,
    peers: [peer('tor', { peerIP: '10.99.0.254', asNumber: 65000, filters: ['only-blocks'] }), peer('own-as', { peerIP: '10.99.0.252', asNumber: 65000, localASNumber: 65001 })],
    filters: [bgpFilter('only-blocks', { exportV4: [{ action: 'Accept', matchOperator: 'In', cidr: '10.99.128.0/17' }, { action: 'Reject' }] })],
  })
  const plain = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snap })).text
  const drained = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snap, drained: true })).text
  t.notMatch(plain, /drain_|65535:0|set-local-pref|set-as-path-prepend/, 'undrained: no trace of the drain')

  const statements = exportStatements(drained)
  const drainNames = ['drain_internal_v4', 'drain_external_as64512_v4', 'drain_external_as65001_v4', 'drain_internal_v6']
  t.same(statements.slice(0, 4).map((s) => /name = "calico_export_(.*)"/.exec(s)?.[1]), drainNames, 'both families\' drain statements open the policy')
  for (const s of statements.slice(0, 4)) {
    t.notMatch(s, 'route-disposition', 'a drain statement only modifies: the rules after it decide')
    t.match(s, /set-community\]\n\s+options = "add"\n[\s\S]*communities-list = \["65535:0"\]/, 'GRACEFUL_SHUTDOWN added')
  }
  t.match(statements[0], /set-local-pref = 1\n/)
  t.match(statements[1], /set-as-path-prepend\]\n\s+as = "64512"\n\s+repeat-n = 3\n/)
  t.match(statements[2], /set-as-path-prepend\]\n\s+as = "65001"\n\s+repeat-n = 3\n/)
  t.same(statements.slice(4), exportStatements(plain), 'every other statement as undrained, in the same order')

  // Only policies differ: gobgpd applies a drain with a soft reset, no session restarts.
  const neighbors = (text: string) => text.slice(text.indexOf('# ------------- IPv4 sessions'))
  t.equal(neighbors(drained), neighbors(plain), '[[neighbors]] byte-identical')
})

t.test('a held-down session is in no drain set', async (t) => {
  const snap = snapshot({
    ...base,
    peers: [peer('tor', { peerIP: '10.99.0.254', asNumber: 65000, filters: ['by-iface'] })],
    filters: [bgpFilter('by-iface', { exportV4: [{ action: 'Accept', interface: 'eth*' }] })],
  })
  const text = renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snap, drained: true })).text
  t.notMatch(text, 'drain_external', 'its statements would match nothing it sends')
  t.match(text, 'drain_internal_v4', 'the mesh is drained')
})
