import t from 'tap'
import { parseReplyLine } from '../../../src/bird/control/reply-line.js'
import { parseProtocolDetails } from '../../../src/bird/replies/protocol-details.js'
import { parseProtocols } from '../../../src/bird/replies/protocols.js'
import { parseRoutes } from '../../../src/bird/replies/routes.js'
import { parseStatus } from '../../../src/bird/replies/status.js'
import { peerRows } from '../../../src/status/peers.js'
import { birdDaemonStatus, populateAgent } from '../../../src/status/populators/agent.js'
import { populateBgp } from '../../../src/status/populators/bgp.js'
import { populateRoutes } from '../../../src/status/populators/routes.js'
import { statusContent } from '../../../src/status/node-status-content.js'
import { birdFixture } from '../../helpers/fixtures.js'

/** birdc output: one line per line. */
const text = (name: string) => birdFixture(name).split('\n')
/** Raw socket bytes: the reply lines as the control client hands them over. */
const raw = (name: string) =>
  birdFixture(name)
    .split('\n')
    .flatMap((l) => {
      const line = parseReplyLine(l)
      return line === undefined ? [] : [line]
    })

t.test('agent: show status of both daemons', async (t) => {
  const v4 = parseStatus(text('v4_show_status.txt'))
  const v6 = parseStatus(raw('raw_v6_show_status.txt'))
  t.same(populateAgent(v4, v6), {
    birdV4: {
      state: 'Ready',
      version: '1.6.8',
      routerID: '10.99.0.1',
      lastBootTime: '2026-11-22 11:40:21',
      lastReconfigurationTime: '2026-11-22 11:40:21',
    },
    birdV6: {
      state: 'Ready',
      version: '1.6.8',
      routerID: '10.99.0.1',
      lastBootTime: '2026-11-22 11:40:21',
      lastReconfigurationTime: '2026-11-22 11:40:21',
    },
  })
  t.same(birdDaemonStatus(undefined), { state: 'NotReady' }, 'a daemon that does not answer')
})

t.test('bgp: mixed v4 sessions and an established v6 mesh', async (t) => {
  const v4 = peerRows(parseProtocolDetails(text('v4_show_protocols_all_mixed.txt')), 4)
  const v6 = peerRows(parseProtocolDetails(text('v6_show_protocols_all_Mesh_established.txt')), 6)
  t.same(populateBgp(v4, v6), {
    numberEstablishedV4: 1,
    numberEstablishedV6: 1,
    numberNotEstablishedV4: 3,
    numberNotEstablishedV6: 0,
    peersV4: [
      { peerIP: '10.99.0.2', type: 'NodeMesh', state: 'Established', since: '11:40:23' },
      { peerIP: '10.99.0.77', type: 'NodePeer', state: 'Active', since: '11:40:51' },
      // down: BIRD's "BGP state: Down" is not a BGP FSM state, so unknown (''), as Calico reports it
      { peerIP: '10.99.0.88', type: 'NodePeer', state: '', since: '11:40:51' },
      { peerIP: '10.99.5.5', type: 'NodePeer', state: 'Active', since: '11:40:51' },
    ],
    peersV6: [{ peerIP: 'fd99::2', type: 'NodeMesh', state: 'Established', since: '11:40:23' }],
  })
})

t.test('bgp: no daemon answering gives zero counts and no peer lists', async (t) => {
  t.same(populateBgp([], []), {
    numberEstablishedV4: 0,
    numberEstablishedV6: 0,
    numberNotEstablishedV4: 0,
    numberNotEstablishedV6: 0,
  })
})

t.test('routes: FIB routes of node A, sources from the protocol types', async (t) => {
  const v4 = { routes: parseRoutes(text('v4_show_route_node-a.txt')), protocols: parseProtocolDetails(text('v4_show_protocols_all_mixed.txt')) }
  const v6 = { routes: parseRoutes(raw('raw_v6_show_route.txt')), protocols: parseProtocols(raw('raw_v6_show_protocols.txt')) }
  t.same(populateRoutes(v4, v6), {
    routesV4: [
      { type: 'FIB', destination: '10.99.0.0/24', gateway: 'N/A', interface: 'veth-a', learnedFrom: { sourceType: 'Direct' } },
      { type: 'FIB', destination: '192.168.10.0/26', gateway: 'N/A', interface: 'blackhole', learnedFrom: { sourceType: 'Static' } },
      {
        type: 'FIB',
        destination: '192.168.20.0/26',
        gateway: '10.99.0.2',
        interface: 'veth-a',
        learnedFrom: { sourceType: 'NodeMesh', peerIP: '10.99.0.2' },
      },
    ],
    routesV6: [
      { type: 'FIB', destination: 'fd99::/64', gateway: 'N/A', interface: 'veth-a', learnedFrom: { sourceType: 'Direct' } },
      { type: 'FIB', destination: 'fd99:100:0:10::/122', gateway: 'N/A', interface: 'blackhole', learnedFrom: { sourceType: 'Static' } },
      {
        type: 'FIB',
        destination: 'fd99:100:0:20::/122',
        gateway: 'fd99::2',
        interface: 'veth-a',
        learnedFrom: { sourceType: 'NodeMesh', peerIP: 'fd99::2' },
      },
    ],
  })
})

t.test('routes: show route all of node B (attributes ignored), v6 daemon silent', async (t) => {
  const v4 = { routes: parseRoutes(text('v4_show_route_all_node-b.txt')), protocols: parseProtocols(raw('raw_v4_show_protocols.txt')) }
  t.same(populateRoutes(v4, undefined), {
    routesV4: [
      { type: 'FIB', destination: '10.99.0.0/24', gateway: 'N/A', interface: 'veth-b', learnedFrom: { sourceType: 'Direct' } },
      {
        type: 'FIB',
        destination: '192.168.10.0/26',
        gateway: '10.99.0.1',
        interface: 'veth-b',
        // Mesh_10_99_0_1 is not in node A's protocol list: type and peer come from the name
        learnedFrom: { sourceType: 'NodeMesh', peerIP: '10.99.0.1' },
      },
      { type: 'FIB', destination: '192.168.20.0/26', gateway: 'N/A', interface: 'blackhole', learnedFrom: { sourceType: 'Static' } },
    ],
  })
})

t.test('statusContent: only the requested classes; a silent daemon is NotReady with nothing else', async (t) => {
  const protocols = parseProtocolDetails(text('v4_show_protocols_all_mixed.txt'))
  const obs = {
    v4: { answering: true as const, status: parseStatus(text('v4_show_status.txt')), protocols, routes: parseRoutes(text('v4_show_route_node-a.txt')) },
    v6: { answering: false as const },
  }
  t.same(Object.keys(statusContent(['BGP'], obs)), ['bgp'])
  t.same(Object.keys(statusContent(['Routes', 'Agent'], obs)), ['agent', 'routes'])
  const all = statusContent(['Agent', 'BGP', 'Routes'], obs)
  t.same(all.agent?.birdV6, { state: 'NotReady' })
  t.equal(all.agent?.birdV4?.state, 'Ready')
  t.match(all.bgp, {
    numberEstablishedV4: 1,
    numberEstablishedV6: 0,
    numberNotEstablishedV4: 3,
    numberNotEstablishedV6: 0,
  })
  t.equal(all.routes?.routesV4?.length, 3)
  t.equal(all.routes?.routesV6, undefined)
})

t.test('routes: RIB paths, unreachable, global and node peers with a port', async (t) => {
  const protocols = parseProtocols([
    'name     proto    table    state  since       info',
    'static2  Static   master   up     11:40:21    ',
    'Global_10_99_0_5 BGP      master   up     11:40:23    Established   ',
    'Node_10_99_0_6_port_1790 BGP      master   up     11:40:24    Established   ',
  ])
  const routes = parseRoutes([
    '10.0.0.0/8         unreachable [static2 11:40:21] * (200)',
    '192.168.30.0/26    via 10.99.0.5 on veth-a [Global_10_99_0_5 11:40:23] * (100/0) [i]',
    '                   via 10.99.0.6 on veth-a [Node_10_99_0_6_port_1790 11:40:24] (100/0) [i]',
  ])
  t.same(populateRoutes({ routes, protocols }, undefined).routesV4, [
    { type: 'FIB', destination: '10.0.0.0/8', gateway: 'N/A', interface: 'unreachable', learnedFrom: { sourceType: 'Static' } },
    {
      type: 'FIB',
      destination: '192.168.30.0/26',
      gateway: '10.99.0.5',
      interface: 'veth-a',
      learnedFrom: { sourceType: 'BGPPeer', peerIP: '10.99.0.5' },
    },
    {
      type: 'RIB',
      destination: '192.168.30.0/26',
      gateway: '10.99.0.6',
      interface: 'veth-a',
      learnedFrom: { sourceType: 'BGPPeer', peerIP: '10.99.0.6' },
    },
  ])
})
