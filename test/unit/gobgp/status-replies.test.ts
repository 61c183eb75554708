// The gobgp 3.10.0 captures (test/fixtures/gobgp-3.10.0/README-status.md) read into the
// shared reply types, field by field. Times are Unix seconds in gobgp's JSON, printed in
// local time as BIRD prints them: the test runs in UTC so the expected strings are fixed.
process.env.TZ = 'UTC'

import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  familyNeighbors,
  globalStatus,
  neighborDetails,
  neighborState,
  ORIGINATED_PROTOCOL,
  ribRoutes,
  GobgpReplyError,
  type GobgpPeer,
} from '../../../src/backends/gobgp/replies.js'
import { peerRows } from '../../../src/status/peers.js'
import { populateBgp } from '../../../src/status/populators/bgp.js'
import { routeStatuses } from '../../../src/status/populators/routes.js'
import { renderNodeStatus } from '../../../src/status/node-status-view.js'
import { sampleBird } from '../../../src/status/bird-sample.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/gobgp-3.10.0/', import.meta.url))
const json = <T = unknown>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T

const NEIGHBORS = json<GobgpPeer[]>('status-neighbors.json')
const PEER_DOWN = json<GobgpPeer[]>('status-neighbors-peer-down.json')
const STARTED = new Date(1796341788_000)
const NOW = new Date(1796341800_000)

t.test('every status capture is read by this test', async (t) => {
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8')
  const captures = readdirSync(FIXTURES).filter((f) => f.startsWith('status-') && f.endsWith('.json'))
  t.ok(captures.length >= 8, `${captures.length} captures`)
  for (const f of captures) t.ok(source.includes(`'${f}'`), `${f} is used`)
})

t.test('global → show status', async (t) => {
  const s = globalStatus(json('status-global.json'), { version: 'gobgpd 3.10.0', startedAt: STARTED, now: NOW })
  t.equal(s.version, 'gobgpd 3.10.0')
  t.equal(s.routerId, '10.99.64.1')
  t.strictSame(s.serverTime, { format: 'datetime', raw: '2026-12-03 23:50:00', date: '2026-12-03', time: '23:50:00' })
  t.equal(s.lastReboot.raw, '2026-12-03 23:49:48', 'the API socket time')
  t.equal(s.lastReconfiguration.raw, '2026-12-03 23:49:48', 'not reported by gobgpd: the start')
  t.equal(s.state, 'running')
  t.equal(s.message, 'Daemon is up and running')
  t.equal(s.gracefulRestartRecovery, false)
  t.equal(globalStatus(json('status-global.json'), { version: 'v', startedAt: undefined, now: NOW }).lastReboot.raw, '2026-12-03 23:50:00')
  t.throws(() => globalStatus(null, { version: 'v', startedAt: STARTED, now: NOW }), GobgpReplyError)
  t.throws(() => globalStatus({ asn: 64512 }, { version: 'v', startedAt: STARTED, now: NOW }), { name: 'GobgpReplyError', missing: 'router_id' })
})

t.test('neighbor list, IPv4: names, states, since, counts, in address order', async (t) => {
  const v4 = familyNeighbors(NEIGHBORS, 4)
  t.strictSame(
    v4.map((p) => [p.name, p.proto, p.table, p.state, p.since.raw, p.info, p.bgp?.state, p.bgpDetails?.state]),
    [
      ['Mesh_10_99_64_2', 'BGP', 'master', 'up', '2026-12-03 23:49:52', 'Established', 'Established', 'Established'],
      ['Mesh_10_99_64_3', 'BGP', 'master', 'start', '2026-12-03 23:49:48', 'Passive', 'Passive', 'Passive'],
      ['Global_10_99_64_4_port_1790', 'BGP', 'master', 'start', '2026-12-03 23:49:48', 'Active', 'Active', 'Active'],
      ['Node_10_99_64_7', 'BGP', 'master', 'down', '2026-12-03 23:49:48', '', 'Down', 'Down'],
      ['Global_10_99_64_9', 'BGP', 'master', 'start', '2026-12-03 23:49:48', 'Active', 'Active', 'Active'],
      ['Node_10_99_65_2', 'BGP', 'master', 'up', '2026-12-03 23:49:53', 'Established', 'Established', 'Established'],
    ],
  )
  const mesh = v4[0]!
  t.equal(mesh.description, 'Mesh_10_99_64_2')
  t.strictSame(mesh.routes, { imported: 3, filtered: 0, exported: undefined, preferred: undefined })
  t.equal(mesh.preference, undefined)
  t.equal(mesh.inputFilter, undefined, 'no import policy in the lab')
  t.equal(mesh.outputFilter, undefined)
  t.equal(mesh.routeChangeStats, undefined)
  const b = mesh.bgpDetails!
  t.equal(b.neighborAddress, '10.99.64.2')
  t.equal(b.neighborInterface, undefined)
  t.equal(b.neighborAs, 64512)
  t.equal(b.neighborId, '10.99.64.2')
  t.strictSame(b.session, { type: 'internal', flags: [] })
  t.equal(b.sourceAddress, '10.99.64.1')
  t.same([...b.neighborCapabilities!].sort(), ['AS4', 'enhanced-refresh', 'llgr-aware', 'refresh', 'restart-able', 'restart-aware'])
  t.equal(b.holdTimer, undefined, 'gobgp does not say what is left of a timer')
  t.equal(b.lastError, undefined)
  t.equal(b.gracefulRestartActive, false)

  const ebgp = v4[5]!.bgpDetails!
  t.equal(ebgp.neighborAs, 64513)
  t.strictSame(ebgp.session, { type: 'external', flags: [] })
  t.equal(ebgp.sourceAddress, '10.99.65.1')
  t.notOk(ebgp.neighborCapabilities!.includes('restart-able'), 'no graceful restart on the eBGP session')

  const passive = v4[1]!
  t.equal(passive.routes, undefined, 'no counts while not Established')
  t.equal(passive.bgpDetails!.neighborId, undefined)
  t.equal(passive.bgpDetails!.sourceAddress, undefined, '0.0.0.0 is no source address')
  t.equal(passive.bgpDetails!.session, undefined)
})

t.test('neighbor list, IPv6: only the IPv6 sessions', async (t) => {
  const v6 = familyNeighbors(NEIGHBORS, 6)
  t.strictSame(
    v6.map((p) => [p.name, p.state, p.info, p.bgpDetails?.neighborAddress, p.routes?.imported]),
    [
      ['Mesh_fd99_64__2', 'up', 'Established', 'fd99:64::2', 2],
      ['Global_fd99_64__9', 'start', 'Active', 'fd99:64::9', undefined],
    ],
  )
  t.equal(v6[0]!.bgpDetails!.sourceAddress, 'fd99:64::1')
  t.strictSame(familyNeighbors(null, 6), [], 'gobgp prints nothing (null) with no neighbors')
})

t.test('the peer table and CalicoNodeStatus bgp read the neighbors as they read BIRD', async (t) => {
  const v4 = peerRows(familyNeighbors(NEIGHBORS, 4), 4)
  const v6 = peerRows(familyNeighbors(NEIGHBORS, 6), 6)
  t.strictSame(
    v4.map((r) => [r.peerIP, r.type, r.state, r.bgpState, r.info]),
    [
      ['10.99.64.2', 'NodeMesh', 'up', 'Established', 'Established'],
      ['10.99.64.3', 'NodeMesh', 'start', '', 'Passive'],
      ['10.99.64.4', 'GlobalPeer', 'start', 'Active', 'Active'],
      ['10.99.64.7', 'NodePeer', 'down', '', ''],
      ['10.99.64.9', 'GlobalPeer', 'start', 'Active', 'Active'],
      ['10.99.65.2', 'NodePeer', 'up', 'Established', 'Established'],
    ],
  )
  const bgp = populateBgp(v4, v6)
  t.equal(bgp.numberEstablishedV4, 2)
  t.equal(bgp.numberNotEstablishedV4, 4)
  t.equal(bgp.numberEstablishedV6, 1)
  t.equal(bgp.numberNotEstablishedV6, 1)
  t.strictSame(bgp.peersV6, [
    { peerIP: 'fd99:64::2', type: 'NodeMesh', state: 'Established', since: '2026-12-03 23:49:52' },
    { peerIP: 'fd99:64::9', type: 'GlobalPeer', state: 'Active', since: '2026-12-03 23:49:48' },
  ])
  const text = renderNodeStatus(
    { v4: { running: true, serverTime: undefined, peers: v4 }, v6: { running: true, serverTime: undefined, peers: v6 } },
    NOW,
  )
  t.match(text, /\| 10\.99\.64\.2\s+\| node-to-node mesh \| up\s+\| 23:49:52 \| Established\s+\|/)
  t.match(text, /\| 10\.99\.64\.7\s+\| node specific\s+\| down\s+\| 23:49:48 \|\s+\|/)
  t.match(text, /\| fd99:64::9\s+\| global\s+\| start \| 23:49:48 \| Active\s+\|/)
})

t.test('after the BIRD peer stopped: Idle, since the downtime', async (t) => {
  const v4 = familyNeighbors(PEER_DOWN, 4)
  const mesh = v4.find((p) => p.name === 'Mesh_10_99_64_2')!
  t.equal(mesh.state, 'start')
  t.equal(mesh.info, 'Idle')
  t.equal(mesh.since.raw, '2026-12-03 23:50:02', 'downtime, not uptime')
  t.equal(mesh.routes, undefined)
  t.strictSame(
    peerRows(v4, 4).map((r) => [r.protocol, r.bgpState]),
    [
      ['Mesh_10_99_64_2', 'Idle'],
      ['Mesh_10_99_64_3', ''],
      ['Global_10_99_64_4_port_1790', 'Active'],
      ['Node_10_99_64_7', ''],
      ['Global_10_99_64_9', 'Active'],
      ['Node_10_99_65_2', 'Idle'],
    ],
  )
})

t.test('one neighbor queried alone counts what it advertised', async (t) => {
  // `gobgp -j neighbor ADDR` prints the one neighbor, not a list.
  const mesh = neighborDetails(json<GobgpPeer>('status-neighbor-10.99.64.2.json'))
  t.strictSame(mesh?.routes, { imported: 3, filtered: 0, exported: 3, preferred: undefined })
  t.equal(mesh?.name, 'Mesh_10_99_64_2')
  const admin = neighborDetails(json<GobgpPeer>('status-neighbor-10.99.64.7.json'))
  t.strictSame([admin?.name, admin?.state, admin?.info, admin?.bgpDetails?.state], ['Node_10_99_64_7', 'down', '', 'Down'])
})

t.test('the state table, every gobgp state', async (t) => {
  const st = (session_state: number | undefined, extra: Partial<GobgpPeer> = {}, admin_state?: number) =>
    neighborState({
      ...extra,
      state: { ...(session_state !== undefined && { session_state }), ...(admin_state !== undefined && { admin_state }) },
    })
  t.strictSame(st(6), { state: 'up', bgpState: 'Established', info: 'Established' })
  t.strictSame(st(5), { state: 'start', bgpState: 'OpenConfirm', info: 'OpenConfirm' })
  t.strictSame(st(4), { state: 'start', bgpState: 'OpenSent', info: 'OpenSent' })
  t.strictSame(st(3), { state: 'start', bgpState: 'Active', info: 'Active' })
  t.strictSame(st(3, { transport: { passive_mode: true } }), { state: 'start', bgpState: 'Passive', info: 'Passive' })
  t.strictSame(st(2), { state: 'start', bgpState: 'Connect', info: 'Connect' })
  t.strictSame(st(1), { state: 'start', bgpState: 'Idle', info: 'Idle' })
  t.strictSame(st(1, {}, 1), { state: 'down', bgpState: 'Down', info: '' })
  t.strictSame(st(1, {}, 2), { state: 'down', bgpState: 'Down', info: 'Route limit exceeded' })
  t.strictSame(st(undefined), { state: 'unknown', bgpState: undefined, info: '' })
  t.equal(neighborDetails({ conf: { description: 'Mesh_10_99_64_2' } }), undefined, 'no address: no protocol')
  t.equal(neighborDetails({ conf: { neighbor_address: '10.99.64.2' } })?.name, '10.99.64.2', 'no description: named for its address')
})

t.test('RIB → routes (IPv4): learned paths, the best in the FIB, originated blocks blackholed', async (t) => {
  const names = new Map([
    ['10.99.64.2', 'Mesh_10_99_64_2'],
    ['10.99.65.2', 'Node_10_99_65_2'],
  ])
  const routes = ribRoutes(json('status-global-rib-ipv4.json'), (n) => names.get(n))
  t.strictSame(
    routes.map((r) => [r.network, r.protocol, r.placement, r.destination.kind === 'via' ? r.destination.gateway : r.destination.kind]),
    [
      ['192.168.64.0/26', 'Mesh_10_99_64_2', 'FIB', '10.99.64.2'],
      ['192.168.64.0/26', 'Node_10_99_65_2', 'RIB', '10.99.65.2'],
      ['192.168.64.64/26', 'Mesh_10_99_64_2', 'FIB', '10.99.64.2'],
      ['192.168.64.64/26', 'Node_10_99_65_2', 'RIB', '10.99.65.2'],
      ['192.168.65.0/26', 'Mesh_10_99_64_2', 'FIB', '10.99.64.2'],
      ['192.168.65.0/26', 'Node_10_99_65_2', 'RIB', '10.99.65.2'],
      ['192.168.80.0/26', ORIGINATED_PROTOCOL, 'FIB', 'blackhole'],
      ['192.168.80.64/26', ORIGINATED_PROTOCOL, 'FIB', 'blackhole'],
    ],
  )
  const ibgp = routes[0]!
  t.strictSame(ibgp.destination, { kind: 'via', gateway: '10.99.64.2', interface: '' })
  t.equal(ibgp.since.raw, '2026-12-03 23:49:52')
  t.equal(ibgp.from, undefined, 'learned from its gateway')
  t.equal(ibgp.preference, 100)
  t.equal(ibgp.originAs, undefined, 'iBGP, empty AS path')
  t.equal(ibgp.origin, 'IGP')
  t.strictSame(ibgp.type, { source: 'BGP', cast: 'unicast', scope: 'univ' })
  t.strictSame(ibgp.attributes, { 'BGP.origin': 'IGP', 'BGP.as_path': '', 'BGP.local_pref': '100', 'BGP.next_hop': '10.99.64.2' })
  t.strictSame(ibgp.bgp?.asPath, [])
  t.strictSame(ibgp.bgp?.localPref, 100)

  const ebgp = routes[1]!
  t.equal(ebgp.originAs, 64513)
  t.strictSame(ebgp.bgp?.asPath, [64513, 64513], 'prepended once')
  t.equal(ebgp.bgp?.med, 50)
  t.strictSame(ebgp.bgp?.communities, [[64513, 100]])
  t.strictSame(ebgp.bgp?.largeCommunities, [[64513, 1, 2]])
  t.strictSame(ebgp.bgp?.extCommunities, ['rt, 64513, 100'])
  t.strictSame(ebgp.bgp?.nextHop, ['10.99.65.2'])

  const own = routes[6]!
  t.equal(own.since.raw, '2026-12-03 23:49:48')
  t.equal(own.preference, 200)
  t.strictSame(own.type, { source: 'static', cast: 'unicast', scope: 'univ' })
  t.equal(own.bgp, undefined)
  t.equal(own.origin, undefined)

  // CalicoNodeStatus routes: the learned ones with their peer, the originated ones static.
  const protocols = familyNeighbors(NEIGHBORS, 4)
  const statuses = routeStatuses({ routes, protocols }, 4)
  t.strictSame(statuses.slice(0, 2), [
    { type: 'FIB', destination: '192.168.64.0/26', gateway: '10.99.64.2', interface: '', learnedFrom: { sourceType: 'NodeMesh', peerIP: '10.99.64.2' } },
    { type: 'RIB', destination: '192.168.64.0/26', gateway: '10.99.65.2', interface: '', learnedFrom: { sourceType: 'BGPPeer', peerIP: '10.99.65.2' } },
  ])
  t.strictSame(statuses.at(-1), { type: 'FIB', destination: '192.168.80.64/26', gateway: 'N/A', interface: 'blackhole', learnedFrom: { sourceType: 'Static' } })
})

t.test('RIB → routes (IPv6): next hop from MP_REACH, a neighbor without a name keeps its address', async (t) => {
  const routes = ribRoutes(json('status-global-rib-ipv6.json'), (n) => (n === 'fd99:64::2' ? 'Mesh_fd99_64__2' : undefined))
  t.strictSame(
    routes.map((r) => [r.network, r.protocol, r.placement, r.destination.kind === 'via' ? r.destination.gateway : r.destination.kind]),
    [
      ['fd99:64:b::/122', 'Mesh_fd99_64__2', 'FIB', 'fd99:64::2'],
      ['fd99:64:b::40/122', 'Mesh_fd99_64__2', 'FIB', 'fd99:64::2'],
      ['fd99:80::/122', ORIGINATED_PROTOCOL, 'FIB', 'blackhole'],
    ],
  )
  t.strictSame(routes[0]!.bgp?.nextHop, ['fd99:64::2'])
  const anonymous = ribRoutes(json('status-global-rib-ipv6.json'), () => undefined)
  t.equal(anonymous[0]!.protocol, 'fd99:64::2')
  t.strictSame(ribRoutes(null, () => undefined), [], 'an empty RIB is null in gobgp -j')
  const bare = ribRoutes({ '192.168.90.0/26': [{ nlri: { prefix: '192.168.90.0/26' }, best: true, attrs: [{ type: 1, value: 2 }] }] }, () => undefined)
  t.strictSame(bare.map((r) => [r.protocol, r.destination]), [[ORIGINATED_PROTOCOL, { kind: 'blackhole' }]], 'originated without a next hop attribute')
  t.strictSame(ribRoutes({ '192.168.91.0/26': [{ best: true, attrs: [], 'neighbor-ip': '10.99.64.2' }] }, () => 'Mesh_10_99_64_2'), [], 'a learned path without a next hop is no route')
  // The summary gobgp prints agrees with what was read: 5 destinations, 8 paths.
  const summary = json<{ num_destination: number; num_path: number }>('status-global-rib-summary-ipv4.json')
  const v4 = ribRoutes(json('status-global-rib-ipv4.json'), () => 'x')
  t.equal(new Set(v4.map((r) => r.network)).size, summary.num_destination)
  t.equal(v4.length, summary.num_path)
})

t.test('health and metrics samples: counts gobgp gives, none it does not', async (t) => {
  const reader = {
    status: () => Promise.reject(new Error('unused')),
    protocols: async () => familyNeighbors(NEIGHBORS, 4),
    routes: async () => [],
  }
  const sample = await sampleBird(reader, 4, () => NOW)
  if (!sample.answering) throw new Error('expected an answering sample')
  const mesh = sample.peers.find((p) => p.protocol === 'Mesh_10_99_64_2')
  t.strictSame(mesh, {
    protocol: 'Mesh_10_99_64_2',
    peerIP: '10.99.64.2',
    type: 'NodeMesh',
    bgpState: 'Established',
    sinceMs: 1796341792_000,
    routes: { imported: 3, filtered: 0 },
  })
  t.strictSame(sample.routes, [
    { protocol: 'Mesh_10_99_64_2', imported: 3, filtered: 0 },
    { protocol: 'Node_10_99_65_2', imported: 3, filtered: 0 },
  ])
})
