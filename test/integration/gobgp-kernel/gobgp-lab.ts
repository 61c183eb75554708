import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { GobgpCli } from '../../../src/backends/gobgp/gobgp-cli.js'
import {
  addAddress,
  addBridge,
  addVeth,
  createNetns,
  ipIn,
  linkUp,
  pollUntil,
  setMaster,
  spawnInNetns,
  type Netns,
  type NetnsChild,
  type TeardownHost,
} from '../../helpers/netns.js'

/**
 * A node namespace running gobgpd as falconer runs it (`-f TOML -t toml --api-hosts
 * unix://SOCK --pprof-disable -p`), on a bridge with two peer namespaces, A (10.99.60.2,
 * fd99:60::2) and B (.3, ::3), each running its own gobgpd in the same AS (iBGP, as the
 * node-to-node mesh), every session IPv4 and IPv6 with graceful restart. The node is
 * 10.99.60.1 / fd99:60::1. Peers originate prefixes with `peer.add(prefix)`.
 */
export const NETNS_PREFIX = 'gbk'

export interface GobgpSpeaker {
  readonly ns: Netns
  readonly cli: GobgpCli
  readonly socket: string
  readonly config: string
  daemon: NetnsChild
  add(prefix: string, nexthop?: string): Promise<void>
  del(prefix: string): Promise<void>
  /** Starts its gobgpd again after it was stopped (the node's with `-r`, as on a restart). */
  restart(extra?: readonly string[]): Promise<void>
}

export interface GobgpLab {
  readonly node: GobgpSpeaker
  readonly a: GobgpSpeaker
  readonly b: GobgpSpeaker
}

const AS = 64512

function toml(routerId: string, neighbors: readonly { address: string; name: string; family: 'ipv4' | 'ipv6' }[]): string {
  const out = [`[global.config]\n  as = ${AS}\n  router-id = "${routerId}"\n`]
  for (const n of neighbors) {
    out.push(
      `[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "${n.address}"\n    peer-as = ${AS}\n    description = "${n.name}"\n` +
        `  [neighbors.timers.config]\n    connect-retry = 1\n` +
        `  [neighbors.graceful-restart.config]\n    enabled = true\n    restart-time = 120\n` +
        `  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "${n.family}-unicast"\n` +
        `    [neighbors.afi-safis.mp-graceful-restart.config]\n      enabled = true\n`,
    )
  }
  return out.join('')
}

export async function startGobgpLab(t: TeardownHost): Promise<GobgpLab> {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-gbk-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const nodeNs = await createNetns(t, NETNS_PREFIX, { ipv6Dad: false })
  await addBridge(nodeNs, 'br0')
  await linkUp(nodeNs, 'br0')
  await addAddress(nodeNs, 'br0', '10.99.60.1/24')
  await addAddress(nodeNs, 'br0', 'fd99:60::1/64', { nodad: true })

  const speaker = async (ns: Netns, name: string, routerId: string, neighbors: Parameters<typeof toml>[1], args: string[] = []): Promise<GobgpSpeaker> => {
    const config = join(dir, `${name}.toml`)
    const socket = join(dir, `${name}.sock`)
    await writeFile(config, toml(routerId, neighbors))
    const cli = new GobgpCli({ socket })
    const start = async (extra: readonly string[]) => {
      // gobgpd leaves its socket behind when it stops, and then cannot listen again.
      await rm(socket, { force: true })
      const daemon = spawnInNetns(t, ns, 'gobgpd', ['-f', config, '-t', 'toml', '--api-hosts', `unix://${socket}`, '--pprof-disable', '-p', ...extra])
      await pollUntil(`gobgpd ${name} to answer`, async () => existsSync(socket) && (await cli.run(['global'])) !== '', { timeoutMs: 60_000 })
      return daemon
    }
    const s: GobgpSpeaker = {
      ns,
      cli,
      socket,
      config,
      daemon: await start(args),
      add: async (prefix, nexthop) => {
        await cli.run(['global', 'rib', 'add', '-a', prefix.includes(':') ? 'ipv6' : 'ipv4', prefix, ...(nexthop ? ['nexthop', nexthop] : [])])
      },
      del: async (prefix) => {
        await cli.run(['global', 'rib', 'del', '-a', prefix.includes(':') ? 'ipv6' : 'ipv4', prefix])
      },
      restart: async (extra = []) => {
        s.daemon = await start(extra)
      },
    }
    return s
  }

  const peers: GobgpSpeaker[] = []
  for (const [name, host] of [['a', 2], ['b', 3]] as const) {
    const ns = await createNetns(t, NETNS_PREFIX, { ipv6Dad: false })
    await addVeth(nodeNs, `v${name}`, 'eth0', { peerNs: ns })
    await setMaster(nodeNs, `v${name}`, 'br0')
    await linkUp(nodeNs, `v${name}`)
    await linkUp(ns, 'eth0')
    await addAddress(ns, 'eth0', `10.99.60.${host}/24`)
    await addAddress(ns, 'eth0', `fd99:60::${host}/64`, { nodad: true })
    peers.push(
      await speaker(ns, name, `10.99.60.${host}`, [
        { address: '10.99.60.1', name: 'node', family: 'ipv4' },
        { address: 'fd99:60::1', name: 'node6', family: 'ipv6' },
      ]),
    )
  }
  const node = await speaker(nodeNs, 'node', '10.99.60.1', [
    { address: '10.99.60.2', name: 'Mesh_10_99_60_2', family: 'ipv4' },
    { address: '10.99.60.3', name: 'Mesh_10_99_60_3', family: 'ipv4' },
    { address: 'fd99:60::2', name: 'Mesh_fd99_60__2', family: 'ipv6' },
    { address: 'fd99:60::3', name: 'Mesh_fd99_60__3', family: 'ipv6' },
  ])
  const [a, b] = peers as [GobgpSpeaker, GobgpSpeaker]
  return { node, a, b }
}

/** Every session of the node Established. */
export async function waitEstablished(lab: GobgpLab): Promise<void> {
  await pollUntil(
    'all four sessions of the node Established',
    async () => {
      const ns = await lab.node.cli.json<{ state?: { session_state?: number } }[]>(['neighbor'])
      return ns.length === 4 && ns.every((n) => n.state?.session_state === 6)
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  )
}

/**
 * The node's main table as `PREFIX [blackhole|via A,B] proto N [metric M]` lines, sorted,
 * read with iproute2 directly (not through the code under test).
 */
export async function kernelTable(ns: Netns): Promise<string[]> {
  const out: string[] = []
  for (const family of ['-4', '-6']) {
    const rows = JSON.parse(await ipIn(ns, ['-N', '-j', family, 'route', 'show', 'table', 'main'])) as {
      dst: string
      type?: string
      protocol?: string
      metric?: number
      gateway?: string
      nexthops?: { gateway?: string }[]
    }[]
    for (const r of rows) {
      if (r.protocol === '2' || r.dst.startsWith('fe80:')) continue // the kernel's own connected routes
      const dst = r.dst.includes('/') ? r.dst : `${r.dst}/${family === '-4' ? 32 : 128}`
      const what = r.type === '6' ? 'blackhole' : `via ${(r.nexthops?.map((h) => h.gateway) ?? [r.gateway]).sort().join(',')}`
      const metric = r.metric === undefined || r.metric === 0 || r.metric === 1024 ? '' : ` metric ${r.metric}`
      out.push(`${dst} ${what} proto ${r.protocol}${metric}`)
    }
  }
  return out.sort()
}

/** `ip route add …` in the namespace (test set-up: routes of other protocols). */
export async function ipRoute(ns: Netns, line: string): Promise<void> {
  const r = await execa('ip', ['-n', ns.name, ...line.split(' ')], { reject: false })
  if (r.exitCode !== 0) throw new Error(`ip ${line}: ${r.stderr}`)
}
