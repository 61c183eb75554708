import t from 'tap'
import { Writable } from 'node:stream'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import type { AnyResource } from '../../../src/api/types.js'
import { probeGobgp, startGobgpRuntime } from '../../../src/backends/gobgp/backend.js'
import type { KernelProgrammer } from '../../../src/backends/gobgp/kernel/types.js'
import { localRoutes } from '../../../src/backends/gobgp/originator.js'
import { Reconciler, type ReconcileResult } from '../../../src/bgp/reconciler.js'
import { BirdControl } from '../../../src/bird/control/index.js'
import { BirdSupervisor } from '../../../src/bird/supervisor/index.js'
import { createEtcdClient } from '../../../src/datastore/etcd-client.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { startSyncer } from '../../../src/datastore/syncer.js'
import { derivePaths } from '../../../src/settings/paths.js'
import { ensureBuilt, runCli } from '../../helpers/cli.js'
import { sameSince } from '../bgp-apply/apply-lab.js'
import { startEtcd } from '../../helpers/etcd.js'
import { addAddress, addVeth, createNetns, ipIn, linkUp, pollUntil, removeStaleNamespaces, spawnInNetns, waitForOperstate } from '../../helpers/netns.js'
import { affinityKeyOf, keyOf, nodeResource, protocolDetails, resource, sessionAgedAtLeast, type LogRecord } from '../bgp-apply/apply-lab.js'

/**
 * The GoBGP backend's core against real daemons, wired as the agent wires it
 * (etcd → syncer → Reconciler → the backend's render, `gobgpd -d`, rename, SIGHUP;
 * gobgpd under the shared supervisor; origination through the API socket):
 *
 *   ns A (10.99.N.1, fd99:N::1): gobgpd, run by BirdSupervisor (wrap: ip netns exec A)
 *        │ veth
 *   ns B (10.99.N.2, fd99:N::2): BIRD 1.6 (`bird` + `bird6`), hand-written configs logging
 *        every session state change to a file, peering with A as Mesh_10_99_N_1 /
 *        Mesh_fd99_N__1 (A's sides are Mesh_10_99_N_2 / Mesh_fd99_N__2, from the mesh).
 *
 * The kernel programmer is another part of the backend with its own tests; here it is a
 * recorder, to prove the runtime starts it once gobgpd runs and feeds it the node's blocks.
 */
const NET = 84
const V4_A = `10.99.${NET}.1`
const V4_B = `10.99.${NET}.2`
const V6_A = `fd99:${NET}::1`
const V6_B = `fd99:${NET}::2`
const ON_A = { v4: `Mesh_10_99_${NET}_2`, v6: `Mesh_fd99_${NET}__2` }
const ON_B = { v4: `Mesh_10_99_${NET}_1`, v6: `Mesh_fd99_${NET}__1` }
const BLOCK_V4 = `192.168.${NET}.0/26`
const BLOCK_V6 = `fd99:100:0:${NET}::/122`

function birdBConfig(family: 4 | 6, logFile: string): string {
  const [name, neighbor, source] = family === 4 ? [ON_B.v4, V4_A, V4_B] : [ON_B.v6, V6_A, V6_B]
  const own = family === 4 ? `route 192.168.${NET}.64/26 blackhole;` : `route fd99:200:${NET}::/122 blackhole;`
  return `router id ${V4_B};
log "${logFile}" all;
timeformat base iso long;
timeformat log iso long;
timeformat protocol iso long;
timeformat route iso long;
protocol device { scan time 2; }
protocol static b { ${own} }
protocol bgp ${name} {
  debug { states, events };
  local as 64512;
  neighbor ${neighbor} as 64512;
  source address ${source};
  direct;
  import all;
  export where proto = "b";
  graceful restart;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 5;
}
`
}

t.test('GoBGP backend against BIRD 1.6: sessions, policy, apply invariants, origination, supervision', async (t) => {
  await removeStaleNamespaces('gc')
  const a = await createNetns(t, 'gc', { ipv6Dad: false })
  const b = await createNetns(t, 'gc', { ipv6Dad: false })
  await addVeth(a, 'veth-a', 'veth-b', { peerNs: b })
  await addAddress(a, 'veth-a', `${V4_A}/24`)
  await addAddress(a, 'veth-a', `${V6_A}/64`, { nodad: true })
  await addAddress(b, 'veth-b', `${V4_B}/24`)
  await addAddress(b, 'veth-b', `${V6_B}/64`, { nodad: true })
  await linkUp(a, 'veth-a')
  await linkUp(b, 'veth-b')
  await waitForOperstate(a, 'veth-a', ['UP'])
  // peers added by the test live here: gobgpd's connects fail at once, inside A
  await ipIn(a, ['route', 'add', 'unreachable', `10.99.${NET}.48/28`])

  const prefix = await mkdtemp(join(tmpdir(), 'fa-gc-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const paths = derivePaths(prefix)
  for (const dir of [join(paths.confdDir, 'config'), paths.runDir, paths.secretsDir]) await mkdir(dir, { recursive: true })

  const etcd = await startEtcd(t)
  const writer = createEtcdClient(etcd.settings)
  t.teardown(() => writer.close())
  const put = async (r: AnyResource) => Number((await writer.put(keyOf(r)).value(JSON.stringify(r)).exec()).header.revision)
  const affinity = async (node: string, cidr: string) =>
    Number((await writer.put(affinityKeyOf(node, cidr)).value(JSON.stringify({ state: 'confirmed' })).exec()).header.revision)
  const release = async (node: string, cidr: string) => Number((await writer.delete().key(affinityKeyOf(node, cidr)).exec()).header.revision)

  await put(nodeResource('node-a', { ipv4Address: `${V4_A}/24`, ipv6Address: `${V6_A}/64` }))
  await put(nodeResource('node-b', { ipv4Address: `${V4_B}/24`, ipv6Address: `${V6_B}/64` }))
  await put(resource('IPPool', 'default-ipv4-ippool', { cidr: '192.168.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true }))
  await put(resource('IPPool', 'default-ipv6-ippool', { cidr: 'fd99:100::/48', blockSize: 122, ipipMode: 'Never', vxlanMode: 'Never' }))
  await affinity('node-a', BLOCK_V4)
  const seeded = await affinity('node-a', BLOCK_V6)

  const logs: LogRecord[] = []
  const log = pino({ level: 'debug' }, new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogRecord)
      done()
    },
  }))
  // gobgpd logs each SIGHUP it handles; its output reaches the agent's log line by line
  const reloadsSeen = () => logs.filter((l) => typeof l.bird === 'string' && l.bird.includes('Reload the config file')).length

  const kernelCalls: string[] = []
  const kernel: KernelProgrammer = {
    setLocalBlocks: (p) => kernelCalls.push(`blocks ${p.join(' ')}`),
    setUnprogrammedRanges: (r) => kernelCalls.push(`unprogrammed ${r.join(' ')}`),
    start: async () => void kernelCalls.push('start'),
    stop: async (o) => void kernelCalls.push(`stop keepRoutes=${o.keepRoutes}`),
  }
  const install = await probeGobgp('gobgpd', 'gobgp')
  t.match(install.version, /^3\./, 'gobgpd 3.x')
  const runtime = startGobgpRuntime({ paths, log, install, kernel: () => kernel })
  t.equal(runtime.appliers.v4, runtime.appliers.v6, 'one file applier for both families')
  t.same(runtime.daemons.map((d) => d.name), ['gobgpd'])
  t.same(runtime.daemons[0]!.args, ['-f', paths.gobgpConfig, '-t', 'toml', '--api-hosts', `unix://${paths.gobgpSocket}`, '--pprof-disable', '-p'], 'API on the unix socket only, no pprof port')

  const results: ReconcileResult[] = []
  const errors: unknown[] = []
  const reconciler = new Reconciler({
    nodeName: 'node-a',
    secretsDir: paths.secretsDir,
    render: (input) => runtime.render(input),
    appliers: runtime.appliers,
    log,
    onResult: (r) => results.push(r),
    onError: (err) => errors.push(err),
  })
  t.teardown(() => reconciler.stop())
  const store = await EtcdStore.connect(etcd.settings, log)
  t.teardown(() => store.close())
  const syncer = startSyncer(store.client, { log, onSnapshot: (s) => reconciler.submit(s) })
  t.teardown(() => syncer.stop())

  const resultAt = (revision: number, from: number) =>
    pollUntil(`a reconcile result at revision >= ${revision}`, () => {
      if (errors.length > 0) throw new Error(`the reconciler failed: ${String(errors[0])}`)
      return results.slice(from).find((r) => r.revision >= revision)
    }, { timeoutMs: 60_000, intervalMs: 10 })
  const change = async (write: () => Promise<number>) => {
    const from = results.length
    return resultAt(await write(), from)
  }

  const first = await resultAt(seeded, 0)
  t.match(first.v4, { result: 'applied', reload: 'not-running' }, 'the first file is written before gobgpd runs')
  t.equal((await stat(paths.gobgpConfig)).mode & 0o777, 0o644, 'no password: an ordinary file')

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
  const control = { v4: new BirdControl({ socketPath: join(bDir, 'bird.ctl'), timeoutMs: 10_000 }), v6: new BirdControl({ socketPath: join(bDir, 'bird6.ctl'), timeoutMs: 10_000 }) }
  for (const [family, bin, f] of [[4, 'bird', 'v4'], [6, 'bird6', 'v6']] as const) {
    const cfg = join(bDir, `${bin}.cfg`)
    await writeFile(cfg, birdBConfig(family, bLog))
    spawnInNetns(t, b, bin, ['-f', '-c', cfg, '-s', control[f].socketPath, '-P', join(bDir, `${bin}.pid`)])
    t.teardown(() => control[f].close())
  }
  const established = async (f: 'v4' | 'v6') => (await protocolDetails(control[f], ON_B[f])).bgpDetails?.state === 'Established'
  const bothEstablished = async () => (await established('v4')) && (await established('v6'))
  const bLogLength = async () => (await readFile(bLog, 'utf8')).length
  /** Lines B logged about either session since `offset` (states and events are logged). */
  const sessionEventsAtB = async (offset: number) =>
    (await readFile(bLog, 'utf8')).slice(offset).split('\n').filter((l) => l.includes(`${ON_B.v4}:`) || l.includes(`${ON_B.v6}:`))
  const routesAtB = async (f: 'v4' | 'v6') => (await control[f].request(`show route protocol ${ON_B[f]}`)).lines.map((l) => l.text).join('\n')

  await t.test('IPv4 and IPv6 sessions Established, named as Calico names them', async (t) => {
    await pollUntil('both families Established at B', bothEstablished, { timeoutMs: 90_000, intervalMs: 250 })
    const neighbors = await runtime.cli.json<{ conf: { neighbor_address: string; description: string }; state: { session_state: number } }[]>(['neighbor'])
    t.same(
      neighbors.map((n) => [n.conf.neighbor_address, n.conf.description]).sort(),
      [[V4_B, ON_A.v4], [V6_B, ON_A.v6]],
      'gobgpd holds one neighbor per family, described by its protocol name',
    )
  })

  await t.test('B receives this node\'s blocks and nothing else', async (t) => {
    await pollUntil('B to learn A\'s blocks', async () => (await routesAtB('v4')).includes(BLOCK_V4) && (await routesAtB('v6')).includes(BLOCK_V6), { timeoutMs: 30_000, intervalMs: 250 })
    t.same(await localRoutes(runtime.cli, 4), [BLOCK_V4], 'gobgpd originates the IPv4 block')
    t.same(await localRoutes(runtime.cli, 6), [BLOCK_V6], 'and the IPv6 block')
    t.ok(kernelCalls.includes('start') && kernelCalls.includes(`blocks ${BLOCK_V4} ${BLOCK_V6}`), `kernel programmer started and told the blocks (${kernelCalls.join('; ')})`)
    // The export policy at work: put routes into gobgpd's RIB directly, one the policy
    // exports (inside a pool) and two it must not (outside every pool; a piece of our block).
    for (const p of ['192.168.200.0/26', '10.200.0.0/24', `192.168.${NET}.0/28`]) await runtime.cli.run(['global', 'rib', 'add', '-a', 'ipv4', p])
    await pollUntil('B to learn the pool route', async () => (await routesAtB('v4')).includes('192.168.200.0/26'), { timeoutMs: 30_000, intervalMs: 250 })
    const seen = await routesAtB('v4')
    t.notMatch(seen, '10.200.0.0/24', 'a route outside every pool is not exported')
    t.notMatch(seen, `192.168.${NET}.0/28`, 'a piece of this node\'s block is not exported')
    t.same(seen.split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/)[0]).sort(), [BLOCK_V4, '192.168.200.0/26'].sort(), 'B holds exactly these from A')
    // the originator owns locally originated routes: the next reconcile takes the strays back
    runtime.originator.kick()
    await runtime.originator.settled()
    t.same(await localRoutes(runtime.cli, 4), [BLOCK_V4], 'routes the intent does not want are withdrawn')
    await pollUntil('B to lose the stray route', async () => !(await routesAtB('v4')).includes('192.168.200.0/26'), { timeoutMs: 30_000, intervalMs: 250 })
  })

  await t.test('a file gobgpd refuses stays out byte for byte; gobgpd keeps running its config', async (t) => {
    const good = await readFile(paths.gobgpConfig, 'utf8')
    const pid = supervisor.state('gobgpd')?.pid
    const hups = reloadsSeen()
    const bLogBefore = await bLogLength()
    const outcome = await runtime.appliers.v4.apply(good.replace('peer-as = 64512', 'peer-as = "sixty-four"'), { holdsSecret: false })
    t.equal(outcome.result, 'rejected')
    if (outcome.result !== 'rejected') return
    t.equal(outcome.error.stage, 'check', 'refused by gobgpd -d, before any rename or SIGHUP')
    t.match(outcome.error.message, /peer-as/, `gobgpd names the field: ${outcome.error.message}`)
    t.equal(await readFile(paths.gobgpConfig, 'utf8'), good, 'gobgpd.toml byte-identical')
    t.equal(supervisor.state('gobgpd')?.pid, pid, 'the same gobgpd')
    t.equal(reloadsSeen(), hups, 'no SIGHUP')
    t.ok(await bothEstablished(), 'sessions up')
    t.same(await sessionEventsAtB(bLogBefore), [], "B's log shows no session event")
  })

  await t.test('unchanged intent: no write and no SIGHUP', async (t) => {
    const st = await stat(paths.gobgpConfig)
    const hups = reloadsSeen()
    const r = await change(() => put(nodeResource('node-b', { ipv4Address: `${V4_B}/24`, ipv6Address: `${V6_B}/64` })))
    t.same([r.v4, r.v6], [{ result: 'unchanged' }, { result: 'unchanged' }], 'both families unchanged')
    const after = await stat(paths.gobgpConfig)
    t.same([after.ino, after.mtimeMs, after.size], [st.ino, st.mtimeMs, st.size], 'gobgpd.toml not written')
    t.equal(reloadsSeen(), hups, 'gobgpd was not told to reload')
  })

  await t.test('another peer added: SIGHUP, and no session reset', async (t) => {
    await sessionAgedAtLeast(control.v4, ON_B.v4, 3)
    await sessionAgedAtLeast(control.v6, ON_B.v6, 3)
    const since = { v4: (await protocolDetails(control.v4, ON_B.v4)).since, v6: (await protocolDetails(control.v6, ON_B.v6)).since }
    const bLogBefore = await bLogLength()
    const hups = reloadsSeen()
    const r = await change(() => put(resource('BGPPeer', 'tor', { peerIP: `10.99.${NET}.50`, asNumber: 65001 })))
    t.match(r.v4, { result: 'applied', reload: 'reconfigured' }, 'applied')
    await pollUntil('gobgpd to know the new peer', async () =>
      (await runtime.cli.json<{ conf: { neighbor_address: string } }[]>(['neighbor'])).some((n) => n.conf.neighbor_address === `10.99.${NET}.50`), { timeoutMs: 30_000, intervalMs: 250 })
    t.equal(reloadsSeen(), hups + 1, 'one SIGHUP')
    for (const f of ['v4', 'v6'] as const) {
      const now = await protocolDetails(control[f], ON_B[f])
      t.equal(now.bgpDetails?.state, 'Established', `${ON_B[f]} Established`)
      t.ok(sameSince(now.since, since[f]), `${ON_B[f]} since unchanged (${since[f].raw} → ${now.since.raw})`)
    }
    t.same(await sessionEventsAtB(bLogBefore), [], "B's log shows no session event")
  })

  await t.test('an export policy change reaches routes already advertised, without a session reset', async (t) => {
    const since = (await protocolDetails(control.v4, ON_B.v4)).since
    const r = await change(() => put(resource('BGPConfiguration', 'default', { prefixAdvertisements: [{ cidr: BLOCK_V4, communities: ['65000:100'] }] })))
    t.match(r.v4, { result: 'applied', reload: 'reconfigured' }, 'applied')
    // gobgpd soft-resets only inbound on SIGHUP: the community shows only after the outbound soft reset
    await pollUntil('B to see the community on A\'s block', async () =>
      (await control.v4.request(`show route ${BLOCK_V4} all`)).lines.some((l) => /BGP\.community:.*\(65000,100\)/.test(l.text)), { timeoutMs: 30_000, intervalMs: 250 })
    t.pass('the block carries the community')
    const after = (await protocolDetails(control.v4, ON_B.v4)).since
    t.ok(sameSince(after, since), `${ON_B.v4} since unchanged (${since.raw} → ${after.raw})`)
  })

  await t.test('a pool\'s BGP export switched off withdraws this node\'s block in it; on, it comes back', async (t) => {
    const since = (await protocolDetails(control.v4, ON_B.v4)).since
    const v4pool = (disableBGPExport: boolean) => resource('IPPool', 'default-ipv4-ippool', { cidr: '192.168.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true, disableBGPExport })
    await change(() => put(v4pool(true)))
    await pollUntil('B to lose A\'s IPv4 block', async () => !(await routesAtB('v4')).includes(BLOCK_V4), { timeoutMs: 30_000, intervalMs: 250 })
    t.pass('withdrawn, as a BIRD node withdraws it')
    t.ok((await routesAtB('v6')).includes(BLOCK_V6), 'the IPv6 block (another pool) stays')
    await change(() => put(v4pool(false)))
    await pollUntil('B to learn A\'s IPv4 block again', async () => (await routesAtB('v4')).includes(BLOCK_V4), { timeoutMs: 30_000, intervalMs: 250 })
    t.pass('advertised again')
    const after = (await protocolDetails(control.v4, ON_B.v4)).since
    t.ok(sameSince(after, since), `${ON_B.v4} since unchanged (${since.raw} → ${after.raw})`)
  })

  await t.test('a new block is advertised; released, it is withdrawn at the peer', async (t) => {
    const extra = `192.168.${NET}.192/26`
    await change(() => affinity('node-a', extra))
    await pollUntil('B to learn the new block', async () => (await routesAtB('v4')).includes(extra), { timeoutMs: 30_000, intervalMs: 250 })
    t.ok(kernelCalls.includes(`blocks ${BLOCK_V4} ${extra} ${BLOCK_V6}`), 'the kernel programmer is told the new block')
    await change(() => release('node-a', extra))
    await pollUntil('B to lose the released block', async () => !(await routesAtB('v4')).includes(extra), { timeoutMs: 30_000, intervalMs: 250 })
    t.same(await localRoutes(runtime.cli, 4), [BLOCK_V4], 'only the remaining block is originated')
    t.ok(await bothEstablished(), 'sessions up throughout')
  })

  await t.test('gobgpd killed: restarted with -r, sessions and routes back', async (t) => {
    const pid = supervisor.state('gobgpd')?.pid
    t.ok(pid, 'gobgpd runs under the supervisor')
    t.equal((await readFile(paths.gobgpPid, 'utf8')).trim(), String(pid), 'its pid file names it')
    process.kill(pid!, 'SIGKILL')
    await pollUntil('gobgpd restarted', () => {
      const s = supervisor.state('gobgpd')
      return s?.running === true && s.pid !== undefined && s.pid !== pid && s.restarts >= 1
    }, { timeoutMs: 30_000 })
    const cmdline = (await readFile(`/proc/${supervisor.state('gobgpd')!.pid}/cmdline`, 'utf8')).split('\0')
    t.ok(cmdline.includes('-r'), 'restarted as a graceful restart (-r)')
    await pollUntil('both families Established again', bothEstablished, { timeoutMs: 90_000, intervalMs: 250 })
    await pollUntil('A\'s blocks originated again', async () => (await localRoutes(runtime.cli, 4)).includes(BLOCK_V4) && (await localRoutes(runtime.cli, 6)).includes(BLOCK_V6), { timeoutMs: 30_000, intervalMs: 250 })
    await pollUntil('B holds A\'s blocks', async () => (await routesAtB('v4')).includes(BLOCK_V4) && (await routesAtB('v6')).includes(BLOCK_V6), { timeoutMs: 60_000, intervalMs: 250 })
    t.equal(kernelCalls.filter((c) => c === 'start').length, 1, 'the kernel programmer is started once')
  })

  await t.test('`falconer gobgp config` prints what the agent wrote', async (t) => {
    await ensureBuilt()
    const r = await runCli(['gobgp', 'config', '--node', 'node-a'], { env: { ...etcd.env, FALCONER_PREFIX: prefix } })
    t.equal(r.code, 0, r.stderr)
    t.equal(r.stdout, await readFile(paths.gobgpConfig, 'utf8'), 'byte-identical to gobgpd.toml')
  })
})
