import t, { type Test } from 'tap'
import { Writable } from 'node:stream'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import type { AnyResource } from '../../../src/api/types.js'
import { probeGobgp, startGobgpRuntime } from '../../../src/backends/gobgp/backend.js'
import { GOBGP_LOWEST_LOCAL_PREF } from '../../../src/backends/gobgp/drain.js'
import type { KernelProgrammer } from '../../../src/backends/gobgp/kernel/types.js'
import { Reconciler, type ReconcileResult } from '../../../src/bgp/reconciler.js'
import { BirdControl } from '../../../src/bird/control/index.js'
import { BirdSupervisor } from '../../../src/bird/supervisor/index.js'
import { createEtcdClient } from '../../../src/datastore/etcd-client.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { startSyncer } from '../../../src/datastore/syncer.js'
import { derivePaths } from '../../../src/settings/paths.js'
import { startEtcd } from '../../helpers/etcd.js'
import { addAddress, addVeth, createNetns, linkUp, pollUntil, removeStaleNamespaces, spawnInNetns, waitForOperstate } from '../../helpers/netns.js'
import { affinityKeyOf, keyOf, nodeResource, protocolDetails, resource, sameSince, sessionAgedAtLeast, type LogRecord } from '../bgp-apply/apply-lab.js'

/**
 * `falconer node drain` with the GoBGP backend, against real daemons, wired as in
 * gobgp-core.test.ts (etcd → syncer → Reconciler with a drain reader → the backend's render,
 * `gobgpd -d`, SIGHUP, outbound soft reset; gobgpd under the shared supervisor):
 *
 *   ns A (10.99.N.1, fd99:N::1): gobgpd (node-a, AS 64512)
 *        │ veth
 *   ns B: BIRD 1.6: `bird` the IPv4 iBGP mesh from 10.99.N.2 (Mesh_10_99_N_1), `bird6`
 *        the IPv6 mesh from fd99:N::2, and a second `bird`, an eBGP "ToR" in AS 65001 on
 *        10.99.N.3 (Tor; a BGPPeer on A). One session per daemon: BIRD 1.6 hands an
 *        incoming connection to the first protocol with that neighbor address.
 *
 * What B sees of A's block is what a drained node must advertise: GRACEFUL_SHUTDOWN on
 * every session, a low LOCAL_PREF over iBGP, A's AS prepended over eBGP; and nothing once
 * undrained. No session is reset either way.
 */
const NET = 86
const V4_A = `10.99.${NET}.1`
const V4_B = `10.99.${NET}.2`
const V4_TOR = `10.99.${NET}.3`
const V6_A = `fd99:${NET}::1`
const V6_B = `fd99:${NET}::2`
const MESH_ON_B = { v4: `Mesh_10_99_${NET}_1`, v6: `Mesh_fd99_${NET}__1` }
const BLOCK_V4 = `192.168.${NET}.0/26`
const BLOCK_V6 = `fd99:100:0:${NET}::/122`
/** Outside every pool: the export policy rejects it, drained or not. */
const NOT_EXPORTED = '10.200.0.0/24'
/** Inside the pool: exported, drained or not. */
const IN_POOL = '192.168.200.0/26'

/** `listen`: BIRD 1.6 binds port 179 on every address unless told one, and two `bird`s share B. */
function birdConfig(logFile: string, routerId: string, sessions: string, listen?: string): string {
  return `router id ${routerId};
${listen === undefined ? '' : `listen bgp address ${listen};\n`}log "${logFile}" all;
timeformat base iso long;
timeformat log iso long;
timeformat protocol iso long;
timeformat route iso long;
protocol device { scan time 2; }
${sessions}`
}

function session(name: string, localAs: number, neighbor: string, source: string, extra = ''): string {
  return `protocol bgp ${name} {
  debug { states, events };
  local ${source} as ${localAs};
  neighbor ${neighbor} as 64512;
  source address ${source};
  direct;
  import all;
  export none;
  graceful restart;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 5;${extra}
}
`
}

t.test('GoBGP backend: drain and undrain as BIRD peers see them', async (t) => {
  await removeStaleNamespaces('gd')
  const a = await createNetns(t, 'gd', { ipv6Dad: false })
  const b = await createNetns(t, 'gd', { ipv6Dad: false })
  await addVeth(a, 'veth-a', 'veth-b', { peerNs: b })
  await addAddress(a, 'veth-a', `${V4_A}/24`)
  await addAddress(a, 'veth-a', `${V6_A}/64`, { nodad: true })
  await addAddress(b, 'veth-b', `${V4_B}/24`)
  await addAddress(b, 'veth-b', `${V4_TOR}/24`)
  await addAddress(b, 'veth-b', `${V6_B}/64`, { nodad: true })
  await linkUp(a, 'veth-a')
  await linkUp(b, 'veth-b')
  await waitForOperstate(a, 'veth-a', ['UP'])

  const prefix = await mkdtemp(join(tmpdir(), 'fa-gd-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const paths = derivePaths(prefix)
  for (const dir of [join(paths.confdDir, 'config'), paths.runDir, paths.secretsDir]) await mkdir(dir, { recursive: true })

  const etcd = await startEtcd(t)
  const writer = createEtcdClient(etcd.settings)
  t.teardown(() => writer.close())
  const put = async (r: AnyResource) => Number((await writer.put(keyOf(r)).value(JSON.stringify(r)).exec()).header.revision)
  const affinity = async (node: string, cidr: string) =>
    Number((await writer.put(affinityKeyOf(node, cidr)).value(JSON.stringify({ state: 'confirmed' })).exec()).header.revision)

  await put(nodeResource('node-a', { ipv4Address: `${V4_A}/24`, ipv6Address: `${V6_A}/64` }))
  await put(nodeResource('node-b', { ipv4Address: `${V4_B}/24`, ipv6Address: `${V6_B}/64` }))
  await put(resource('IPPool', 'default-ipv4-ippool', { cidr: '192.168.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true }))
  await put(resource('IPPool', 'default-ipv6-ippool', { cidr: 'fd99:100::/48', blockSize: 122, ipipMode: 'Never', vxlanMode: 'Never' }))
  await put(resource('BGPPeer', 'tor', { peerIP: V4_TOR, asNumber: 65001 }))
  await affinity('node-a', BLOCK_V4)
  const seeded = await affinity('node-a', BLOCK_V6)

  const logs: LogRecord[] = []
  const log = pino({ level: 'debug' }, new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogRecord)
      done()
    },
  }))
  const kernel: KernelProgrammer = { setLocalBlocks: () => {}, setUnprogrammedRanges: () => {}, start: async () => {}, stop: async () => {} }
  const runtime = startGobgpRuntime({ paths, log, install: await probeGobgp('gobgpd', 'gobgp'), kernel: () => kernel })

  // The drain marker, as the agent's drain reader reports it: an id while drained.
  let drainId: string | undefined
  const results: ReconcileResult[] = []
  const errors: unknown[] = []
  const reconciler = new Reconciler({
    nodeName: 'node-a',
    secretsDir: paths.secretsDir,
    render: (input) => runtime.render(input),
    appliers: runtime.appliers,
    log,
    readDrain: async () => drainId,
    onResult: (r) => results.push(r),
    onError: (err) => errors.push(err),
  })
  t.teardown(() => reconciler.stop())
  const store = await EtcdStore.connect(etcd.settings, log)
  t.teardown(() => store.close())
  const syncer = startSyncer(store.client, { log, onSnapshot: (s) => reconciler.submit(s) })
  t.teardown(() => syncer.stop())

  const resultWhere = (what: string, ok: (r: ReconcileResult) => boolean, from: number) =>
    pollUntil(what, () => {
      if (errors.length > 0) throw new Error(`the reconciler failed: ${String(errors[0])}`)
      return results.slice(from).find(ok)
    }, { timeoutMs: 60_000, intervalMs: 10 })
  await resultWhere(`a reconcile result at revision >= ${seeded}`, (r) => r.revision >= seeded, 0)

  const supervisor = new BirdSupervisor({
    manage: true,
    daemons: runtime.daemons,
    wrap: ['ip', 'netns', 'exec', a.name],
    backoff: { initialMs: 200, maxMs: 2_000 },
    stopGraceMs: 5_000,
    log,
  })
  supervisor.on('started', (name) => runtime.daemonStarted?.(name))
  t.teardown(async () => {
    await supervisor.stop('graceful-restart')
    await runtime.close({ keepRoutes: true })
  })
  supervisor.start()

  const bDir = join(prefix, 'node-b')
  await mkdir(bDir, { recursive: true })
  const bLog = join(bDir, 'bird.log')
  const ctl = (name: string) => new BirdControl({ socketPath: join(bDir, `${name}.ctl`), timeoutMs: 10_000 })
  const control = { v4: ctl('bird'), v6: ctl('bird6'), tor: ctl('tor') }
  const daemons = [
    ['bird', 'bird', control.v4, birdConfig(bLog, V4_B, session(MESH_ON_B.v4, 64512, V4_A, V4_B), V4_B)],
    ['bird6', 'bird6', control.v6, birdConfig(bLog, V4_B, session(MESH_ON_B.v6, 64512, V6_A, V6_B))],
    ['tor', 'bird', control.tor, birdConfig(bLog, V4_TOR, session('Tor', 65001, V4_A, V4_TOR), V4_TOR)],
  ] as const
  for (const [name, bin, c, config] of daemons) {
    const cfg = join(bDir, `${name}.cfg`)
    await writeFile(cfg, config)
    spawnInNetns(t, b, bin, ['-f', '-c', cfg, '-s', c.socketPath, '-P', join(bDir, `${name}.pid`)])
    t.teardown(() => c.close())
  }
  const sessions = [[control.v4, MESH_ON_B.v4], [control.tor, 'Tor'], [control.v6, MESH_ON_B.v6]] as const
  const allEstablished = async () => {
    for (const [c, name] of sessions) if ((await protocolDetails(c, name)).bgpDetails?.state !== 'Established') return false
    return true
  }
  /** `show route <block> protocol <session> all` at B: the attributes A sent on that session. */
  const attributes = async (c: BirdControl, block: string, name: string) => (await c.request(`show route ${block} protocol ${name} all`)).lines.map((l) => l.text).join('\n')
  const since = async () => Promise.all(sessions.map(async ([c, name]) => (await protocolDetails(c, name)).since))
  const noSessionReset = async (t: Test, before: Awaited<ReturnType<typeof since>>) => {
    const now = await since()
    sessions.forEach(([, name], i) => t.ok(sameSince(now[i]!, before[i]!), `${name} since unchanged (±1 s): ${before[i]!.raw} → ${now[i]!.raw}`))
    t.ok(await allEstablished(), 'every session Established')
  }
  const setDrain = async (id: string | undefined) => {
    const from = results.length
    drainId = id
    reconciler.refresh()
    const r = await resultWhere(`a reconcile result with drain ${String(id)}`, (x) => x.drainId === id, from)
    return r
  }

  await pollUntil('the mesh (both families) and the ToR Established at B', allEstablished, { timeoutMs: 90_000, intervalMs: 250 }).catch(async (err: unknown) => {
    // what each side says, to tell a refused session from one never tried
    const shown = await Promise.all([control.v4, control.v6, control.tor].map(async (c) => (await c.request('show protocols all')).lines.map((l) => l.text).join('\n')))
    t.comment(shown.join('\n'), await runtime.cli.run(['neighbor']).catch((e: unknown) => String(e)), await readFile(bLog, 'utf8').catch(() => ''))
    throw err
  })
  await pollUntil('B to learn A\'s blocks on every session', async () =>
    (await attributes(control.v4, BLOCK_V4, MESH_ON_B.v4)).includes(BLOCK_V4) &&
    (await attributes(control.tor, BLOCK_V4, 'Tor')).includes(BLOCK_V4) &&
    (await attributes(control.v6, BLOCK_V6, MESH_ON_B.v6)).includes(BLOCK_V6), { timeoutMs: 30_000, intervalMs: 250 })

  await t.test('undrained: no GRACEFUL_SHUTDOWN, default LOCAL_PREF, one AS towards eBGP', async (t) => {
    const mesh = await attributes(control.v4, BLOCK_V4, MESH_ON_B.v4)
    t.notMatch(mesh, '(65535,0)', 'mesh: no GRACEFUL_SHUTDOWN')
    t.match(mesh, /BGP\.local_pref: 100\b/, 'mesh: LOCAL_PREF 100')
    t.match(await attributes(control.tor, BLOCK_V4, 'Tor'), /BGP\.as_path: 64512\s*$/m, 'ToR: AS path 64512')
  })

  await t.test('drained: every session marks the block; the rejected route stays out; no session reset', async (t) => {
    for (const [c, name] of sessions) await sessionAgedAtLeast(c, name, 3)
    const before = await since()
    const r = await setDrain('drain-1')
    t.match(r.v4, { result: 'applied', reload: 'reconfigured' }, 'the drained file applied with a SIGHUP')
    const community = /BGP\.community:.*\(65535,0\)/
    await pollUntil('B to see A\'s blocks drained on every session', async () =>
      community.test(await attributes(control.v4, BLOCK_V4, MESH_ON_B.v4)) &&
      community.test(await attributes(control.tor, BLOCK_V4, 'Tor')) &&
      community.test(await attributes(control.v6, BLOCK_V6, MESH_ON_B.v6)), { timeoutMs: 30_000, intervalMs: 250 })
    const mesh = await attributes(control.v4, BLOCK_V4, MESH_ON_B.v4)
    t.match(mesh, community, 'iBGP mesh (IPv4): GRACEFUL_SHUTDOWN (65535,0)')
    // gobgpd cannot send LOCAL_PREF 0 (it reads set-local-pref = 0 as unset): the lowest it can
    t.match(mesh, new RegExp(`BGP\\.local_pref: ${GOBGP_LOWEST_LOCAL_PREF}\\b`), `iBGP mesh: LOCAL_PREF ${GOBGP_LOWEST_LOCAL_PREF}`)
    const mesh6 = await attributes(control.v6, BLOCK_V6, MESH_ON_B.v6)
    t.match(mesh6, community, 'iBGP mesh (IPv6): GRACEFUL_SHUTDOWN')
    t.match(mesh6, new RegExp(`BGP\\.local_pref: ${GOBGP_LOWEST_LOCAL_PREF}\\b`), `iBGP mesh (IPv6): LOCAL_PREF ${GOBGP_LOWEST_LOCAL_PREF}`)
    const tor = await attributes(control.tor, BLOCK_V4, 'Tor')
    t.match(tor, community, 'eBGP ToR: GRACEFUL_SHUTDOWN')
    t.match(tor, /BGP\.as_path: 64512 64512 64512 64512\s*$/m, 'eBGP ToR: A\'s AS three more times')
    // Rejected stays rejected: two routes put into gobgpd's RIB at once, one the policy
    // exports and one it rejects; once the first is at B (drained), the second never came.
    for (const p of [NOT_EXPORTED, IN_POOL]) await runtime.cli.run(['global', 'rib', 'add', '-a', 'ipv4', p])
    await pollUntil('B to learn the pool route, drained', async () =>
      community.test(await attributes(control.v4, IN_POOL, MESH_ON_B.v4)) && community.test(await attributes(control.tor, IN_POOL, 'Tor')), { timeoutMs: 30_000, intervalMs: 250 })
    for (const c of [control.v4, control.tor]) {
      t.notMatch((await c.request('show route')).lines.map((l) => l.text).join('\n'), NOT_EXPORTED, `a route the export policy rejects is still not exported (${c.socketPath})`)
    }
    await noSessionReset(t, before)
  })

  await t.test('undrained again: the marks are gone; no session reset', async (t) => {
    const before = await since()
    const r = await setDrain(undefined)
    t.match(r.v4, { result: 'applied', reload: 'reconfigured' }, 'the undrained file applied with a SIGHUP')
    await pollUntil('B to see A\'s blocks without the drain', async () =>
      !(await attributes(control.v4, BLOCK_V4, MESH_ON_B.v4)).includes('(65535,0)') &&
      !(await attributes(control.tor, BLOCK_V4, 'Tor')).includes('(65535,0)') &&
      !(await attributes(control.v6, BLOCK_V6, MESH_ON_B.v6)).includes('(65535,0)'), { timeoutMs: 30_000, intervalMs: 250 })
    t.pass('GRACEFUL_SHUTDOWN gone on every session')
    t.match(await attributes(control.v4, BLOCK_V4, MESH_ON_B.v4), /BGP\.local_pref: 100\b/, 'mesh: LOCAL_PREF 100 again')
    t.match(await attributes(control.tor, BLOCK_V4, 'Tor'), /BGP\.as_path: 64512\s*$/m, 'ToR: AS path 64512 again')
    await noSessionReset(t, before)
  })
})
