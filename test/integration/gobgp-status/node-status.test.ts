import t from 'tap'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BirdUnavailableError } from '../../../src/bird/control/index.js'
import { GobgpCli } from '../../../src/backends/gobgp/gobgp-cli.js'
import { gobgpReaders } from '../../../src/backends/gobgp/readers.js'
import { ORIGINATED_PROTOCOL } from '../../../src/backends/gobgp/replies.js'
import { openStatusReaders } from '../../../src/backends/status-readers.js'
import { derivePaths } from '../../../src/settings/paths.js'
import { sampleBird } from '../../../src/status/bird-sample.js'
import { observeFamily } from '../../../src/status/bird-queries.js'
import { populateAgent } from '../../../src/status/populators/agent.js'
import { populateRoutes } from '../../../src/status/populators/routes.js'
import { ensureBuilt, runCli } from '../../helpers/cli.js'
import {
  addAddress,
  addVeth,
  createNetns,
  ipIn,
  linkUp,
  pollUntil,
  removeStaleNamespaces,
  spawnInNetns,
  waitForOperstate,
} from '../../helpers/netns.js'

/**
 * A GoBGP node's status read the way an operator and the agent read it: a real gobgpd in
 * namespace A (its API on the unix socket at A's prefix, as the backend runs it) peering
 * with BIRD 1.6 (bird + bird6) in namespace B.
 *
 *   A (10.99.66.1, fd99:66::1), gobgpd AS 64512, neighbors named as falconer names them:
 *     Mesh_10_99_66_2  → B's bird, Established
 *     Mesh_fd99_66__2  → B's bird6, Established
 *     Global_10_99_66_9 → nobody (an unreachable route): Active
 *     originates 192.168.67.0/26 and fd99:67::/122 (its own blocks)
 *   B (10.99.66.2, fd99:66::2): exports 192.168.66.0/26 and fd99:66:b::/122.
 */
const NS_PREFIX = 'gst'
const SINCE = /^\d\d:\d\d:\d\d$/

const gobgpdToml = `[global.config]
  as = 64512
  router-id = "10.99.66.1"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.66.2"
    peer-as = 64512
    description = "Mesh_10_99_66_2"
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "fd99:66::2"
    peer-as = 64512
    description = "Mesh_fd99_66__2"
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.66.9"
    peer-as = 64599
    description = "Global_10_99_66_9"
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`

const birdConf = (family: 4 | 6) => `router id 10.99.66.2;
timeformat protocol iso long;
protocol device { scan time 2; }
protocol static blocks { route ${family === 4 ? '192.168.66.0/26' : 'fd99:66:b::/122'} blackhole; }
filter to_mesh { if proto = "blocks" then accept; reject; }
protocol bgp Mesh_${family === 4 ? '10_99_66_1' : 'fd99_66__1'} {
  local ${family === 4 ? '10.99.66.2' : 'fd99:66::2'} as 64512;
  neighbor ${family === 4 ? '10.99.66.1' : 'fd99:66::1'} as 64512;
  connect retry time 1; error wait time 1, 5;
  import all; export filter to_mesh;
}
`

/** The table rows, split into cells, SINCE checked for its format and masked. */
function rows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| PEER ADDRESS'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim())
        .map((c, i) => (i === 3 && SINCE.test(c) ? 'SINCE' : c)),
    )
}

t.test('node status, readers, CalicoNodeStatus and samples of a real gobgpd peering with BIRD 1.6', async (t) => {
  await removeStaleNamespaces(NS_PREFIX)
  const [a, b] = await Promise.all([createNetns(t, NS_PREFIX, { ipv6Dad: false }), createNetns(t, NS_PREFIX, { ipv6Dad: false }), ensureBuilt()])
  await addVeth(a, 'veth-a', 'veth-b', { peerNs: b })
  await addAddress(a, 'veth-a', '10.99.66.1/24')
  await addAddress(a, 'veth-a', 'fd99:66::1/64', { nodad: true })
  await addAddress(b, 'veth-b', '10.99.66.2/24')
  await addAddress(b, 'veth-b', 'fd99:66::2/64', { nodad: true })
  await linkUp(a, 'veth-a')
  await linkUp(b, 'veth-b')
  await waitForOperstate(a, 'veth-a', ['UP'])
  await ipIn(a, ['route', 'add', 'unreachable', '10.99.66.9/32'])

  const prefix = await mkdtemp(join(tmpdir(), 'fa-gst-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const paths = derivePaths(prefix)
  await mkdir(join(paths.confdDir, 'config'), { recursive: true })
  await mkdir(paths.runDir, { recursive: true })
  await writeFile(paths.gobgpConfig, gobgpdToml)
  const bDir = join(prefix, 'node-b')
  await mkdir(bDir)
  await writeFile(join(bDir, 'bird.cfg'), birdConf(4))
  await writeFile(join(bDir, 'bird6.cfg'), birdConf(6))

  const gobgpd = spawnInNetns(t, a, 'gobgpd', ['-f', paths.gobgpConfig, '-t', 'toml', '--api-hosts', `unix://${paths.gobgpSocket}`, '--pprof-disable', '-p'])
  const bird = spawnInNetns(t, b, 'bird', ['-f', '-c', join(bDir, 'bird.cfg'), '-s', join(bDir, 'bird.ctl'), '-P', join(bDir, 'bird.pid')])
  const bird6 = spawnInNetns(t, b, 'bird6', ['-f', '-c', join(bDir, 'bird6.cfg'), '-s', join(bDir, 'bird6.ctl'), '-P', join(bDir, 'bird6.pid')])

  const cli = new GobgpCli({ socket: paths.gobgpSocket })
  await pollUntil('gobgpd API', () => cli.json(['global']), { timeoutMs: 60_000, intervalMs: 200 })
  // This node's own blocks, as the backend originates them.
  await cli.run(['global', 'rib', 'add', '-a', 'ipv4', '192.168.67.0/26'])
  await cli.run(['global', 'rib', 'add', '-a', 'ipv6', 'fd99:67::/122'])

  const expected = [
    ['10.99.66.2', 'node-to-node mesh', 'up', 'SINCE', 'Established'],
    ['10.99.66.9', 'global', 'start', 'SINCE', 'Active'],
    ['fd99:66::2', 'node-to-node mesh', 'up', 'SINCE', 'Established'],
  ]
  // gobgp tries the missing peer once a second and is in Connect for an instant each time: poll.
  const up = await pollUntil(
    'node status to show both mesh sessions Established',
    async () => {
      const r = await runCli(['node', 'status', '--prefix', prefix])
      return JSON.stringify(rows(r.stdout)) === JSON.stringify(expected) ? r : undefined
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  )
  t.equal(up.code, 0)
  t.equal(up.stderr, '')
  t.match(up.stdout, /^Calico process is running\.\n\nIPv4 BGP status\n\+-/)
  t.match(up.stdout, /\nIPv6 BGP status\n\+-/)

  const json = await runCli(['node', 'status', '--prefix', prefix, '-o', 'json'])
  t.equal(json.code, 0, json.stderr)
  const doc = JSON.parse(json.stdout)
  t.equal(doc.running, true)
  t.match(doc.ipv4.peers[0], { peerAddress: '10.99.66.2', protocol: 'Mesh_10_99_66_2', type: 'NodeMesh', state: 'up', bgpState: 'Established' })
  t.match(doc.ipv6.peers[0], { peerAddress: 'fd99:66::2', protocol: 'Mesh_fd99_66__2', bgpState: 'Established' })
  t.match(doc.ipv4.peers[0].since, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)

  await t.test('the status readers are chosen from the sockets and read both families', async (t) => {
    const readers = await openStatusReaders({ birdSocket: paths.birdSocket, bird6Socket: paths.bird6Socket, gobgpSocket: paths.gobgpSocket }, 10_000)
    t.teardown(() => readers.close())
    t.equal(readers.backend, 'gobgp')
    t.equal(readers.version, undefined, 'told by the socket alone')

    const status = await readers.v4.status()
    t.equal(status.routerId, '10.99.66.1')
    t.equal(status.state, 'running')
    t.strictSame(populateAgent(status, await readers.v6.status()).birdV6, {
      state: 'Ready',
      version: 'gobgpd 3.10.0',
      routerID: '10.99.66.1',
      lastBootTime: status.lastReboot.raw,
      lastReconfigurationTime: status.lastReconfiguration.raw,
    })

    // B's block learned over the mesh session (in the FIB), A's own block originated.
    const v4 = await pollUntil('B\'s IPv4 block in the RIB', async () => {
      const routes = await readers.v4.routes()
      return routes.some((r) => r.network === '192.168.66.0/26') ? routes : undefined
    })
    t.strictSame(
      v4.map((r) => [r.network, r.protocol, r.placement, r.destination]),
      [
        ['192.168.66.0/26', 'Mesh_10_99_66_2', 'FIB', { kind: 'via', gateway: '10.99.66.2', interface: '' }],
        ['192.168.67.0/26', ORIGINATED_PROTOCOL, 'FIB', { kind: 'blackhole' }],
      ],
    )
    const v6 = await pollUntil('B\'s IPv6 block in the RIB', async () => {
      const routes = await readers.v6.routes()
      return routes.some((r) => r.network === 'fd99:66:b::/122') ? routes : undefined
    })
    t.strictSame(
      v6.map((r) => [r.network, r.protocol, r.placement]),
      [
        ['fd99:66:b::/122', 'Mesh_fd99_66__2', 'FIB'],
        ['fd99:67::/122', ORIGINATED_PROTOCOL, 'FIB'],
      ],
    )

    // CalicoNodeStatus routes, through the same observation the reporter makes.
    const obs4 = await observeFamily(readers.v4, { status: false, protocols: true, routes: true })
    if (!obs4.answering) throw new Error('gobgpd did not answer')
    const routes = populateRoutes({ routes: obs4.routes ?? [], protocols: obs4.protocols ?? [] }, undefined)
    t.strictSame(routes.routesV4, [
      { type: 'FIB', destination: '192.168.66.0/26', gateway: '10.99.66.2', interface: '', learnedFrom: { sourceType: 'NodeMesh', peerIP: '10.99.66.2' } },
      { type: 'FIB', destination: '192.168.67.0/26', gateway: 'N/A', interface: 'blackhole', learnedFrom: { sourceType: 'Static' } },
    ])

    // The poller asks both families at once: one neighbor list for the two.
    class CountingCli extends GobgpCli {
      readonly calls: string[] = []
      override run(args: readonly string[]): Promise<string> {
        this.calls.push(args.join(' '))
        return super.run(args)
      }
    }
    const counting = new CountingCli({ socket: paths.gobgpSocket })
    const both = gobgpReaders(counting)
    const [p4, p6] = await Promise.all([both.v4.protocols(), both.v6.protocols()])
    t.strictSame([p4.map((p) => p.name), p6.map((p) => p.name)], [['Mesh_10_99_66_2', 'Global_10_99_66_9'], ['Mesh_fd99_66__2']])
    t.strictSame(counting.calls, ['-j neighbor'], 'one gobgp run for both families')

    // Health and metrics samples.
    const sample = await sampleBird(readers.v4, 4)
    if (!sample.answering) throw new Error(`sample: ${sample.reason}`)
    t.match(sample.peers, [
      { protocol: 'Mesh_10_99_66_2', peerIP: '10.99.66.2', type: 'NodeMesh', bgpState: 'Established', routes: { imported: 1, filtered: 0 } },
      { protocol: 'Global_10_99_66_9', peerIP: '10.99.66.9', type: 'GlobalPeer' },
    ])
  })

  await t.test('the BIRD peer stops: the sessions are no longer Established', async (t) => {
    await Promise.all([bird.stop(), bird6.stop()])
    const down = await pollUntil(
      'node status to show the mesh sessions down',
      async () => {
        const r = await runCli(['node', 'status', '--prefix', prefix])
        const got = rows(r.stdout)
        return got.length === 3 && got.every((row) => row[4] !== 'Established') ? got : undefined
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    )
    t.match(down[0], ['10.99.66.2', 'node-to-node mesh', 'start', 'SINCE', /^(Idle|Connect|Active)$/])
    t.match(down[2], ['fd99:66::2', 'node-to-node mesh', 'start', 'SINCE', /^(Idle|Connect|Active)$/])
    const readers = gobgpReaders(cli)
    const routes = await pollUntil('B\'s block withdrawn', async () => {
      const r = await readers.v4.routes()
      return r.every((x) => x.network !== '192.168.66.0/26') ? r : undefined
    })
    t.strictSame(routes.map((r) => r.network), ['192.168.67.0/26'], 'only the own block is left')
  })

  await t.test('gobgpd gone: BirdUnavailableError, and node status says it is not running', async (t) => {
    // SIGKILL leaves the socket file behind: the client finds nobody listening.
    gobgpd.kill('SIGKILL')
    await gobgpd.exited
    const readers = gobgpReaders(cli)
    await t.rejects(readers.v4.protocols(), BirdUnavailableError)
    const r = await runCli(['node', 'status', '--prefix', prefix])
    t.equal(r.code, 1)
    t.equal(r.stdout, 'Calico process is not running.\n')
    t.match(r.stderr, `gobgpd: ${paths.gobgpSocket}: not answering`)
    await rm(paths.gobgpSocket, { force: true })
    const missing = await readers.v6.status().then(
      () => undefined,
      (err: unknown) => err,
    )
    t.type(missing, BirdUnavailableError)
    t.equal((missing as BirdUnavailableError).reason, 'missing', 'no socket: not even a client run')
  })
})
