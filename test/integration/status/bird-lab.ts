import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { BirdControl } from '../../../src/bird/control/index.js'
import { parseProtocols } from '../../../src/bird/replies/protocols.js'
import { BirdSupervisor, birdDaemonSpecs, controlSocketProbe } from '../../../src/bird/supervisor/index.js'
import { derivePaths, type Paths } from '../../../src/settings/paths.js'
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
  type Netns,
  type TeardownHost,
} from '../../helpers/netns.js'

/**
 * Two BIRD nodes in two namespaces joined by a veth pair, as `node status` and the
 * CalicoNodeStatus reporter see them:
 *
 *   A (10.99.N.1): bird + bird6 run by falconer's supervisor, sockets at A's prefix paths.
 *     Mesh_10_99_N_2   → B, Established
 *     Global_10_99_N_9 → nobody; an unreachable route makes every connect fail at once, so
 *                        the session sits in Active ("Socket: No route to host")
 *     bird6: no peers
 *   B (10.99.N.2): plain bird with Mesh_10_99_N_1 → A.
 *
 * Each node originates a blackhole /26 (static protocol `pod_blocks`) and exports it over
 * BGP, so A learns B's block.
 */
export interface BirdLab {
  readonly a: Netns
  readonly b: Netns
  /** A's paths (its prefix directory). */
  readonly paths: Paths
  readonly prefix: string
  readonly net: number
  readonly supervisor: BirdSupervisor
  /** B's control socket. */
  readonly bSocket: string
}

export const LAB_AS = 64512

function birdConfig(opts: {
  routerId: string
  block: string
  peers: readonly { name: string; address: string; source: string }[]
}): string {
  const peers = opts.peers
    .map(
      (p) => `protocol bgp ${p.name} {
  local as ${LAB_AS};
  neighbor ${p.address} as ${LAB_AS};
  source address ${p.source};
  import all;
  export filter export_pod_blocks;
  connect retry time 1;
  connect delay time 1;
  error wait time 1, 5;
  hold time 9;
  keepalive time 3;
}
`,
    )
    .join('\n')
  return `router id ${opts.routerId};
timeformat base iso long;
timeformat log iso long;
timeformat protocol iso long;
timeformat route iso long;

protocol device { scan time 2; }
protocol direct direct1 { interface "veth*"; }
protocol kernel kernel1 { persist no; scan time 2; export all; }
protocol static pod_blocks { route ${opts.block} blackhole; }

filter export_pod_blocks {
  if proto = "pod_blocks" then accept;
  reject;
}

${peers}`
}

function bird6Config(routerId: string): string {
  return `router id ${routerId};
timeformat base iso long;
timeformat protocol iso long;
timeformat route iso long;
protocol device { scan time 2; }
`
}

async function write(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
}

/** Creates the two nodes and waits until A's mesh session is Established. */
export async function startBirdLab(
  t: TeardownHost,
  nsPrefix: string,
  net: number,
  opts: { backoff?: { initialMs: number; maxMs: number } } = {},
): Promise<BirdLab> {
  await removeStaleNamespaces(nsPrefix)
  const a = await createNetns(t, nsPrefix, { ipv6Dad: false })
  const b = await createNetns(t, nsPrefix, { ipv6Dad: false })
  await addVeth(a, 'veth-a', 'veth-b', { peerNs: b })
  await addAddress(a, 'veth-a', `10.99.${net}.1/24`)
  await addAddress(b, 'veth-b', `10.99.${net}.2/24`)
  await linkUp(a, 'veth-a')
  await linkUp(b, 'veth-b')
  await waitForOperstate(a, 'veth-a', ['UP'])
  // No ARP wait: connect() to the missing peer fails at once with EHOSTUNREACH.
  await ipIn(a, ['route', 'add', 'unreachable', `10.99.${net}.9/32`])

  const prefix = await mkdtemp(join(tmpdir(), `fa-${nsPrefix}-`))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const paths = derivePaths(prefix)
  await write(
    paths.birdConfig,
    birdConfig({
      routerId: `10.99.${net}.1`,
      block: `192.168.${net}.0/26`,
      peers: [
        { name: `Mesh_10_99_${net}_2`, address: `10.99.${net}.2`, source: `10.99.${net}.1` },
        { name: `Global_10_99_${net}_9`, address: `10.99.${net}.9`, source: `10.99.${net}.1` },
      ],
    }),
  )
  await write(paths.bird6Config, bird6Config(`10.99.${net}.1`))

  const bDir = join(prefix, 'node-b')
  const bConfig = join(bDir, 'bird.cfg')
  const bSocket = join(bDir, 'bird.ctl')
  await write(
    bConfig,
    birdConfig({
      routerId: `10.99.${net}.2`,
      block: `192.168.${net + 100}.0/26`,
      peers: [{ name: `Mesh_10_99_${net}_1`, address: `10.99.${net}.1`, source: `10.99.${net}.2` }],
    }),
  )
  spawnInNetns(t, b, 'bird', ['-f', '-c', bConfig, '-s', bSocket, '-P', join(bDir, 'bird.pid')])

  const supervisor = new BirdSupervisor({
    manage: true,
    daemons: birdDaemonSpecs(paths),
    wrap: ['ip', 'netns', 'exec', a.name],
    backoff: opts.backoff ?? { initialMs: 200, maxMs: 2_000 },
  })
  t.teardown(() => supervisor.stop())
  supervisor.start()

  await waitForSessions(paths.birdSocket, { [`Mesh_10_99_${net}_2`]: 'Established', [`Global_10_99_${net}_9`]: 'Active' })
  await pollUntil('bird6 to answer', () => birdAnswers(paths.bird6Socket), { timeoutMs: 60_000 })
  return { a, b, paths, prefix, net, supervisor, bSocket }
}

/** Whether a BIRD answers `show status` on `socket` (the supervisor's own probe). */
export const birdAnswers = controlSocketProbe()

/** Polls `show protocols` until each named protocol is in the given BGP state. */
export async function waitForSessions(socket: string, want: Readonly<Record<string, string>>, timeoutMs = 90_000): Promise<void> {
  await pollUntil(
    `BGP sessions ${JSON.stringify(want)} on ${socket}`,
    async () => {
      const control = new BirdControl({ socketPath: socket, timeoutMs: 5_000 })
      try {
        const protocols = parseProtocols((await control.request('show protocols')).lines)
        return Object.entries(want).every(([name, state]) => protocols.find((p) => p.name === name)?.bgp?.state === state)
      } finally {
        await control.close()
      }
    },
    { timeoutMs, intervalMs: 250 },
  )
}
