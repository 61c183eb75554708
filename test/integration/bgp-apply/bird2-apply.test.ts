import t from 'tap'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BirdControl } from '../../../src/bird/control/index.js'
import { peerRows } from '../../../src/status/peers.js'
import { ipIn, pollUntil } from '../../helpers/netns.js'
import {
  birdStatus,
  isEstablished,
  nodeResource,
  protocolDetails,
  protocolText,
  resource,
  sameBirdTime,
  sameSince,
  sessionAgedAtLeast,
  settledAfterReconfiguration,
  startApplyLab,
} from './apply-lab.js'

/**
 * The BIRD 2 backend's apply pipeline against real BIRD 2 daemons, as the agent wires it
 * (etcd → syncer → Reconciler → the backend's render, `bird -p`, rename, `configure`), in
 * the apply lab (apply-lab.ts) with BIRD 2 on both sides:
 *
 *   ns A (10.99.N.1, fd99:N::1): the BIRD 2 backend's one `bird` (both families), supervised
 *        │ veth
 *   ns B (10.99.N.2, fd99:N::2): a hand-written BIRD 2 config logging to a file, peering with A
 *        over IPv4 (Mesh_10_99_N_1) and IPv6 (Mesh_fd99_N__1).
 *
 * It proves the rules every backend keeps: the same sessions as BIRD 1.6 (one per family,
 * the same names), kernel programming, unchanged → no write and no reload, a file BIRD 2
 * refuses stays out and BIRD keeps its config, and a new peer or other unrelated change
 * resets no session (B's log shows every session event).
 *
 * B also holds 10.99.N.3 with an eBGP session (AS 65001) that expects A as AS 64600: the
 * BGPPeer fields BIRD 2 must honour as BIRD 1.6 does (localASNumber, reachableBy, BGPFilters,
 * a withheld session, programClusterRoutes) are checked against what BIRD 2 then does.
 */
const NET = 71
const V4_A = `10.99.${NET}.1`
const V4_B = `10.99.${NET}.2`
const V6_B = `fd99:${NET}::2`
const ON_A = { v4: `Mesh_10_99_${NET}_2`, v6: `Mesh_fd99_${NET}__2` }
const ON_B = { v4: `Mesh_10_99_${NET}_1`, v6: `Mesh_fd99_${NET}__1` }
const V4_TOR = `10.99.${NET}.3`
const TOR_ON_A = `Global_10_99_${NET}_3_port_1790`

// A connects to port 1790 (BIRD holds one session per neighbor address and port: this one
// must not wait for the mesh session's lock on A's address port 179)
const TOR_ON_B = `
protocol bgp Tor_A {
  debug { states, events };
  multihop;
  passive on;
  local ${V4_TOR} port 1790 as 65001;
  neighbor ${V4_A} port 1791 as 64600;
  ipv4 { import all; export where proto = "b4"; };
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 5;
}
`

t.test('BIRD 2 backend against real BIRD 2: sessions, kernel, invariants', async (t) => {
  const lab = await startApplyLab(t, NET, { backend: 'bird2', extraB: { addresses: [`${V4_TOR}/24`], config: TOR_ON_B } })
  const { a, paths, runtime, controlB, put, affinity, allEstablished } = lab
  const control = lab.controlA
  const change = async (write: () => Promise<number>) => (await lab.change(write)).result
  t.equal(runtime.daemons.length, 1, 'one daemon')
  t.equal(runtime.appliers.v4, runtime.appliers.v6, 'one file applier for both families')
  t.match(lab.first.v4, { result: 'applied', reload: 'not-running' }, 'the first file is written before BIRD runs')
  t.equal(lab.first.v6, lab.first.v4, 'one outcome reported for both families')

  await t.test('the same sessions as BIRD 1.6, both families from one daemon', async (t) => {
    const text = await readFile(paths.birdConfig, 'utf8')
    t.match(text, `protocol bgp ${ON_A.v4} from bgp_template_v4`)
    t.match(text, `protocol bgp ${ON_A.v6} from bgp_template_v6`)
    const v4 = peerRows(await runtime.readers.v4.protocols(), 4)
    const v6 = peerRows(await runtime.readers.v6.protocols(), 6)
    t.same(v4.map((p) => [p.protocol, p.peerIP, p.type, p.bgpState]), [[ON_A.v4, V4_B, 'NodeMesh', 'Established']], 'IPv4 peers')
    t.same(v6.map((p) => [p.protocol, p.peerIP, p.type, p.bgpState]), [[ON_A.v6, V6_B, 'NodeMesh', 'Established']], 'IPv6 peers')
    const protocols4 = (await runtime.readers.v4.protocols()).map((p) => p.name)
    t.ok(protocols4.includes('kernel4') && !protocols4.includes('kernel6'), 'the IPv4 view holds kernel4 only')
    const status = await runtime.readers.v6.status()
    t.match(status.version, /^2\./)
  })

  await t.test('kernel programming: A holds B\'s blocks, B learns A\'s', async (t) => {
    await pollUntil('B\'s blocks in A\'s kernel', async () => {
      const r4 = await ipIn(a, ['route', 'show', `192.168.${NET}.64/26`])
      const r6 = await ipIn(a, ['-6', 'route', 'show', `fd99:200:${NET}::/122`])
      return r4.includes(`via ${V4_B}`) && r6.includes(`via ${V6_B}`)
    }, { timeoutMs: 30_000, intervalMs: 250 })
    t.pass('A\'s kernel routes B\'s IPv4 and IPv6 blocks via B')
    // as with BIRD 1.6: interface routes stay the kernel's own, BIRD adds none
    t.notMatch(await ipIn(a, ['route', 'show', 'proto', 'bird', `10.99.${NET}.0/24`]), /\S/, 'no BIRD copy of the IPv4 interface route')
    t.notMatch(await ipIn(a, ['-6', 'route', 'show', 'proto', 'bird', `fd99:${NET}::/64`]), /\S/, 'no BIRD copy of the IPv6 interface route')
    const routesB = (await controlB.request('show route')).lines.map((l) => l.text).join('\n')
    t.match(routesB, `192.168.${NET}.0/26`, 'B learned A\'s IPv4 block')
    t.match(routesB, `fd99:100:0:${NET}::/122`, 'B learned A\'s IPv6 block')
    const routes6 = await runtime.readers.v6.routes()
    t.ok(routes6.length > 0 && routes6.every((r) => r.network.includes(':')), 'the IPv6 view holds IPv6 routes only')
  })

  await t.test('a new peer and other unrelated changes reset no session', async (t) => {
    const base = { v4: await sessionAgedAtLeast(control, ON_A.v4, 3), v6: await sessionAgedAtLeast(control, ON_A.v6, 3) }
    const bLogBefore = (await readFile(lab.bLogFile, 'utf8')).length
    const textOf = async (name: string) => protocolText(await readFile(paths.birdConfig, 'utf8'), new RegExp(`^protocol bgp ${name} `))
    const before = { v4: await textOf(ON_A.v4), v6: await textOf(ON_A.v6) }
    const statusBefore = await birdStatus(control)

    const r1 = await change(() => put(resource('BGPPeer', 'tor', { peerIP: `10.99.${NET}.50`, asNumber: 65001 })))
    t.match(r1.v4, { result: 'applied', reload: 'reconfigured' }, 'the new peer is applied')
    t.match(await readFile(paths.birdConfig, 'utf8'), `protocol bgp Global_10_99_${NET}_50 from bgp_template_v4`)
    await pollUntil('the new peer to exist in BIRD', async () => (await protocolDetails(control, `Global_10_99_${NET}_50`)).proto === 'BGP')
    const r2 = await change(() => affinity('node-a', `10.244.${NET}.0/26`))
    t.match(r2.v4, { result: 'applied' }, 'a new block is applied')
    const r3 = await change(() => put(resource('IPPool', 'extra', { cidr: '10.244.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never' })))
    t.match(r3.v4, { result: 'applied' }, 'a new pool is applied')
    await pollUntil('B to learn the new block over the same session', async () =>
      (await controlB.request(`show route 10.244.${NET}.0/26`)).lines.some((l) => l.text.startsWith(`10.244.${NET}.0/26`)))

    t.equal(await textOf(ON_A.v4), before.v4, `${ON_A.v4} text byte-identical`)
    t.equal(await textOf(ON_A.v6), before.v6, `${ON_A.v6} text byte-identical`)
    for (const f of ['v4', 'v6'] as const) {
      const now = await protocolDetails(control, ON_A[f])
      t.equal(now.bgpDetails?.state, 'Established', `${ON_A[f]} Established`)
      t.ok(sameSince(now.since, base[f].since), `${ON_A[f]} since unchanged (${base[f].since.raw} → ${now.since.raw})`)
    }
    const statusAfter = await birdStatus(control)
    t.ok(sameBirdTime(statusAfter.lastReboot, statusBefore.lastReboot), 'BIRD A never restarted')
    const events = (await readFile(lab.bLogFile, 'utf8')).slice(bLogBefore).split('\n').filter((l) => l.includes(`${ON_B.v4}:`) || l.includes(`${ON_B.v6}:`))
    t.same(events, [], "B's log shows no session event")
  })

  await t.test('unchanged intent: no write and no reload', async (t) => {
    const settled = await settledAfterReconfiguration(control)
    const st = await stat(paths.birdConfig)
    const reloadsBefore = lab.reloads.v4
    const r = await change(() => put(nodeResource('node-b', { ipv4Address: `${V4_B}/24`, ipv6Address: `${V6_B}/64` })))
    t.same([r.v4, r.v6], [{ result: 'unchanged' }, { result: 'unchanged' }], 'both families unchanged')
    const after = await stat(paths.birdConfig)
    t.same([after.ino, after.mtimeMs, after.size], [st.ino, st.mtimeMs, st.size], 'bird.cfg not written')
    t.equal(lab.reloads.v4, reloadsBefore, 'no configure sent')
    t.ok(sameBirdTime((await birdStatus(control)).lastReconfiguration, settled.lastReconfiguration), 'BIRD did not reconfigure')
  })

  await t.test('a file BIRD 2 refuses stays out; BIRD keeps its config', async (t) => {
    const good = await readFile(paths.birdConfig, 'utf8')
    const settled = await settledAfterReconfiguration(control)
    const overrideDir = join(paths.templateOverrideDir, 'bird2', 'partials')
    await mkdir(overrideDir, { recursive: true })
    const packaged = await readFile(join(process.cwd(), 'templates/bird2/partials/bgp-template.hbs'), 'utf8')
    const from = lab.results.results.length
    // compiles (so the template source takes it) but BIRD 2's parser refuses it
    await writeFile(join(overrideDir, 'bgp-template.hbs'), packaged.replace('  multihop;\n', '  multihop;\n  no such option;\n'))
    const rejected = await pollUntil('the override to be rendered and rejected', () => lab.results.results.slice(from).find((r) => r.v4.result === 'rejected'), { timeoutMs: 30_000 })
    if (rejected.v4.result !== 'rejected') throw new Error('unreachable')
    t.equal(rejected.v4.error.stage, 'check', 'refused by bird -p, before any rename or configure')
    t.match(rejected.v4.error.message, new RegExp(`${paths.birdConfig}:\\d+:\\d+`), 'BIRD 2 names file:line:col (the real path)')
    t.equal(await readFile(paths.birdConfig, 'utf8'), good, 'bird.cfg byte-identical')
    t.ok(sameBirdTime((await birdStatus(control)).lastReconfiguration, settled.lastReconfiguration), 'BIRD kept running its config')
    t.ok(await allEstablished(), 'sessions up')
    t.ok(lab.logs.some((l) => l.msg === 'rendered config rejected by BIRD; keeping the last good config'), 'logged')
    await rm(join(paths.templateOverrideDir, 'bird2'), { recursive: true })
  })

  await t.test('BIRD 2 killed: the supervisor brings it back with its sessions', async (t) => {
    const pid = lab.supervisor.state('bird')?.pid
    t.ok(pid, 'BIRD runs under the supervisor')
    process.kill(pid!, 'SIGKILL')
    await pollUntil('BIRD restarted', () => {
      const s = lab.supervisor.state('bird')
      return s?.pid !== undefined && s.pid !== pid && s.restarts >= 1
    }, { timeoutMs: 30_000 })
    await pollUntil('both families Established again', allEstablished, { timeoutMs: 90_000, intervalMs: 250 })
    t.pass('sessions back after the restart')
  })

  await t.test('Calico BGPPeer fields as BIRD 1.6 honours them: local AS, reachableBy, BGPFilters, withheld', async (t) => {
    await put(resource('BGPFilter', 'b2compat', {
      exportV4: [{ action: 'Reject', matchOperator: 'Equal', cidr: `192.168.${NET}.0/26` }],
      importV4: [{ action: 'Reject', matchOperator: 'In', cidr: `192.168.${NET}.128/26` }],
    }))
    await change(() => put(resource('BGPPeer', 'tor-b', {
      peerIP: `${V4_TOR}:1790`, asNumber: 65001, localASNumber: 64600, reachableBy: V4_B, nextHopMode: 'Self', filters: ['b2compat'],
    })))
    const r = await change(() => put(resource('BGPPeer', 'locked', {
      peerIP: `10.99.${NET}.49`, asNumber: 65002, password: { secretKeyRef: { name: 'absent', key: 'tor' } },
    })))
    t.match(r.v4, { result: 'applied' }, 'applied')

    // localASNumber: B's session expects A as AS 64600, so Established proves `local as`
    await pollUntil(`${TOR_ON_A} Established`, async () => (await isEstablished(control, TOR_ON_A)) && (await isEstablished(controlB, 'Tor_A')), { timeoutMs: 90_000, intervalMs: 250 })
    t.pass(`${TOR_ON_A} Established with A as AS 64600`)

    // reachableBy: a host route to the peer via its gateway in A's kernel, put there by BIRD
    const hostRoute = await ipIn(a, ['route', 'show', `${V4_TOR}/32`, 'proto', 'bird'])
    t.match(hostRoute, `via ${V4_B}`, 'the peer address is routed via its reachableBy gateway')

    // BGPFilters: export rejects A's block on this session only, the rest falls through to
    // the usual export rules; import rejects one of B's two routes on this session only
    const routesOn = async (c: BirdControl, proto: string) => (await c.request(`show route protocol ${proto}`)).lines.map((l) => l.text).join('\n')
    await pollUntil('B to learn the second block from A over Tor_A', async () => (await routesOn(controlB, 'Tor_A')).includes(`10.244.${NET}.0/26`), { timeoutMs: 30_000, intervalMs: 250 })
    const onTor = await routesOn(controlB, 'Tor_A')
    t.notMatch(onTor, `192.168.${NET}.0/26`, 'the export BGPFilter holds A\'s block back from Tor_A')
    t.match(await routesOn(controlB, ON_B.v4), `192.168.${NET}.0/26`, 'the mesh session (no filter) still carries it')
    await pollUntil('A to learn B\'s first route over the filtered session', async () => (await routesOn(control, TOR_ON_A)).includes(`192.168.${NET}.64/26`), { timeoutMs: 30_000, intervalMs: 250 })
    t.notMatch(await routesOn(control, TOR_ON_A), `192.168.${NET}.128/26`, 'the import BGPFilter rejects the other')
    t.match(await routesOn(control, ON_A.v4), `192.168.${NET}.128/26`, 'which A still learns over the mesh')

    // a session whose password cannot be read is configured, held down and says why
    const locked = await protocolDetails(control, `Global_10_99_${NET}_49`)
    t.equal(locked.state, 'down', 'held down')
    t.equal(locked.description, 'withheld: BGP password not available', 'with its reason')
  })

  await t.test('programClusterRoutes Disabled: another agent\'s routes in the pool are not re-advertised', async (t) => {
    // in the pool, in A's kernel from someone else: one via a gateway, one on the link only
    await ipIn(a, ['route', 'add', `192.168.99.0/24`, 'via', `10.99.${NET}.9`, 'proto', 'static'])
    await ipIn(a, ['route', 'add', `192.168.98.0/24`, 'dev', 'veth-a', 'proto', 'static'])
    const onMesh = async () => (await controlB.request(`show route protocol ${ON_B.v4}`)).lines.map((l) => l.text).join('\n')
    await pollUntil('B to learn both over the mesh while A programs the pool', async () => {
      const text = await onMesh()
      return text.includes('192.168.99.0/24') && text.includes('192.168.98.0/24')
    }, { timeoutMs: 30_000, intervalMs: 250 })
    const r = await change(() => put(resource('BGPConfiguration', 'default', { programClusterRoutes: 'Disabled' })))
    t.match(r.v4, { result: 'applied' }, 'applied')
    await pollUntil('B to lose the route with a gateway', async () => !(await onMesh()).includes('192.168.99.0/24'), { timeoutMs: 30_000, intervalMs: 250 })
    t.pass('the route another agent put in the kernel with a next hop is no longer advertised')
    t.match(await onMesh(), '192.168.98.0/24', 'the link route is still advertised (as BIRD 1.6 does)')
  })
})
