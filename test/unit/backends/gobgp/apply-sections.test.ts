import t from 'tap'
import { globalSection, policySection } from '../../../../src/backends/gobgp/apply.js'
import { renderGobgpConfig } from '../../../../src/backends/gobgp/render.js'
import { buildIntent } from '../../../../src/bgp/intent/index.js'
import { bgpFilter, blocksOf, defaultPools, peer, snapshot, threeNodes } from '../../bgp/builders.js'

/** What the reloader compares to decide whether gobgpd must re-send routes under a new policy. */

const render = (peers: Parameters<typeof snapshot>[0]['peers'], filters: Parameters<typeof snapshot>[0]['filters'] = []) =>
  renderGobgpConfig(buildIntent({ nodeName: 'node-1', snapshot: snapshot({ nodes: threeNodes(), pools: defaultPools(), affinities: [...blocksOf(1), ...blocksOf(2)], peers, filters }) })).text

t.test('a peer added or moved is not a policy change, even where its comment lands in the policy lines', async (t) => {
  // 'a-first' sorts before the mesh sessions: its comment line follows the last policy line.
  const before = render([peer('a-first', { peerIP: '10.99.0.200', asNumber: 64512 })])
  const moved = render([peer('a-first', { peerIP: '10.99.0.201', asNumber: 64512 })])
  t.not(moved, before, 'the files differ')
  t.match(before, /# Global_10_99_0_200/, 'the session has its comment line')
  t.equal(policySection(moved), policySection(before), 'the policy lines are the same')
  t.notMatch(policySection(before), /^\s*#/m, 'no comment in them')
  t.equal(globalSection(moved), globalSection(before), 'and so is [global]')
})

t.test('a real policy change is one', async (t) => {
  const before = render([])
  const filtered = render(
    [peer('tor', { peerIP: '10.99.0.254', asNumber: 65000, filters: ['only-blocks'] })],
    [bgpFilter('only-blocks', { exportV4: [{ action: 'Accept', matchOperator: 'In', cidr: '10.99.128.0/17' }, { action: 'Reject' }] })],
  )
  t.not(policySection(filtered), policySection(before))
})
