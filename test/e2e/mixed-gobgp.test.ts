// Three BGP speakers in one cluster: node-1 runs BIRD 1.6 (bird + bird6), node-2 BIRD 2,
// node-3 the GoBGP backend (gobgpd, with falconer programming node-3's kernel under
// protocol 186), plus the gobgpd top-of-rack. Every mesh and ToR session is Established
// in both families on every node; every node's kernel routes every other node's blocks;
// the ToR holds every node's blocks; a peer added on the GoBGP node resets no session
// anywhere; gobgpd killed comes back with its sessions while no kernel route is lost; a
// block released is withdrawn everywhere.
import t from 'tap'
import { canonicalCidr } from '../../scripts/lab/topology.js'
import { GOBGP_ROUTE_PROTOCOL, GOBGP_ROUTE_PROTOCOL_NAMES } from '../../scripts/lab/lab.js'
import { allBlocks, pause, peersOf, startLab, topology, waitEstablished, waitMeshRoutes, waitTorRoutes, type Lab, type LabNode, type NodeStatus } from '../helpers/lab.js'
import { requireBird2 } from '../helpers/bird2.js'

const bird2Bin = requireBird2()
const lab = await startLab(t, { name: 'mg', nodes: 3, bird2Nodes: [2], gobgpNodes: [3], bird2Bin })
const [n1, n2, n3] = lab.nodes as [LabNode, LabNode, LabNode]
const NEW_PEER = { v4: '10.99.0.250', v6: 'fd99::250', as: '65250' }
/** `node status` prints times in whole seconds: the same instant reads ±1 s apart. */
const JITTER_MS = 1_000
const SETTLED_MS = 5_000

const statusAll = async () => new Map(await Promise.all(lab.nodes.map(async (n) => [n.name, await lab.nodeStatus(n)] as const)))

/** `node/IPv4/Mesh_…` → since (ms), for every session every node reports. */
function sinces(statuses: Map<string, NodeStatus>): Map<string, number> {
  const out = new Map<string, number>()
  for (const [node, s] of statuses) {
    for (const family of [4, 6] as const) {
      for (const p of peersOf(s, family)) out.set(`${node}/IPv${family}/${p.protocol}`, new Date(p.since.replace(' ', 'T')).getTime())
    }
  }
  return out
}

interface TorNeighbor { state?: { neighbor_address?: string; session_state?: number | string }; timers?: { state?: { uptime?: { seconds?: number } } } }

/** The ToR's view: each neighbor address → its session's uptime start (s), established ones only. */
async function torUptimes(l: Lab): Promise<Map<string, number>> {
  const list = JSON.parse(await l.gobgp(['neighbor', '-j'])) as TorNeighbor[]
  const out = new Map<string, number>()
  for (const n of list) {
    const at = n.timers?.state?.uptime?.seconds
    if (n.state?.neighbor_address !== undefined && at !== undefined && at > 0) out.set(canonicalCidr(n.state.neighbor_address), at)
  }
  return out
}

t.test('each node runs the BGP speaker it was given', async (t) => {
  t.same(lab.nodes.map((n) => n.backend), ['bird1', 'bird2', 'gobgp'])
  t.ok(await lab.birdPid(n1, 4) !== undefined && await lab.birdPid(n1, 6) !== undefined, 'node-1: bird and bird6')
  t.match(await lab.birdc(n2, 4, ['show', 'status']), /BIRD 2\.\d+/, 'node-2: BIRD 2 answers on bird.ctl')
  t.ok(await lab.gobgpdPid(n3) !== undefined, 'node-3: gobgpd runs')
  t.equal(await lab.birdPid(n3, 4), undefined, 'node-3: no bird')
  const global = await lab.nodeGobgp(n3, ['global']) as { asn?: number; router_id?: string }
  t.equal(global.router_id, n3.plan.ipv4, 'gobgpd\'s router id is the node\'s address')
  t.equal(global.asn, topology.NODE_AS, 'in the cluster\'s AS')
})

t.test('every mesh and ToR session Established, IPv4 and IPv6, on every node', async (t) => {
  const statuses = await waitEstablished(lab)
  for (const node of lab.nodes) {
    const s = statuses.get(node.name)!
    for (const family of [4, 6] as const) {
      const want = [...lab.nodes.filter((n) => n !== node).map((n) => (family === 4 ? n.plan.ipv4 : n.plan.ipv6)), family === 4 ? topology.TOR_V4 : topology.TOR_V6]
      t.same(peersOf(s, family).map((p) => p.peerAddress).sort(), want.sort(), `${node.name} IPv${family}: mesh + ToR`)
      t.ok(peersOf(s, family).every((p) => p.bgpState === 'Established'), `${node.name} IPv${family}: all Established`)
    }
  }
  // The operator's table on the GoBGP node: the same words as on a BIRD node.
  const table = await lab.falconerOk(n3, ['node', 'status'])
  t.match(table, new RegExp(`IPv4 BGP status[\\s\\S]*\\| ${n1.plan.ipv4.replace(/\./g, '\\.')} +\\| node-to-node mesh \\| up +\\| [^|]+\\| Established`))
  t.match(table, new RegExp(`IPv6 BGP status[\\s\\S]*\\| ${n2.plan.ipv6} +\\| node-to-node mesh \\| up +\\| [^|]+\\| Established`))
  t.match(table, new RegExp(`\\| ${topology.TOR_V4.replace(/\./g, '\\.')} +\\| global +\\| up`))
})

t.test('kernel routes between all three speakers, and the ToR holds every block', async (t) => {
  const blocks = await waitMeshRoutes(lab)
  for (const node of lab.nodes) {
    for (const family of [4, 6] as const) {
      const routes = await lab.programmedRoutes(node, family)
      for (const other of lab.nodes.filter((n) => n !== node)) {
        for (const block of blocks.get(other.name)?.[family === 4 ? 'v4' : 'v6'] ?? []) {
          const route = routes.find((r) => canonicalCidr(r.dst) === block)
          t.equal(route?.gateway, family === 4 ? other.plan.ipv4 : other.plan.ipv6, `${node.name} (${node.backend}): ${block} via ${other.name}`)
        }
      }
    }
  }
  // node-3's kernel: its own blocks blackholed under falconer's protocol, nothing as bird.
  for (const family of [4, 6] as const) {
    const own = blocks.get(n3.name)?.[family === 4 ? 'v4' : 'v6'] ?? []
    const all = await lab.kernelRoutes(n3, family)
    for (const block of own) {
      const r = all.find((k) => canonicalCidr(k.dst) === block)
      t.equal(r?.type, 'blackhole', `node-3 blackholes its own ${block}`)
      t.ok(r?.protocol !== undefined && GOBGP_ROUTE_PROTOCOL_NAMES.includes(r.protocol), `under protocol ${GOBGP_ROUTE_PROTOCOL} (${r?.protocol})`)
    }
    t.equal(all.filter((k) => k.protocol === 'bird').length, 0, `node-3 IPv${family}: no proto bird route`)
  }
  await waitTorRoutes(lab)
  t.pass('the ToR holds every node\'s IPv4 and IPv6 blocks, node-3\'s from node-3')
})

t.test('a peer added on the GoBGP node resets no session anywhere', async (t) => {
  const before = await lab.waitFor('every session up for a few seconds', async () => {
    const s = await statusAll()
    return Date.now() - Math.max(...sinces(s).values()) > SETTLED_MS + JITTER_MS ? s : undefined
  }, 60_000, 1_000)
  const torBefore = await torUptimes(lab)
  const pid = await lab.gobgpdPid(n3)
  await lab.falconerOk(n3, ['node', 'bgp', 'peer', 'add', NEW_PEER.v4, 'as', NEW_PEER.as])
  await lab.falconerOk(n3, ['node', 'bgp', 'peer', 'add', NEW_PEER.v6, 'as', NEW_PEER.as])
  await lab.waitFor('the new peers in node-3\'s gobgpd', async () => {
    const s = await lab.nodeStatus(n3)
    return peersOf(s, 4).some((p) => p.peerAddress === NEW_PEER.v4) && peersOf(s, 6).some((p) => p.peerAddress === NEW_PEER.v6)
  }, 30_000, 250)
  t.equal(await lab.gobgpdPid(n3), pid, 'gobgpd reloaded, not restarted')
  const was = sinces(before)
  t.ok(was.size >= 3 * 2 * 3, `${was.size} sessions compared`)
  for (const round of [1, 2]) {
    if (round === 2) await pause(5_000)
    const now = sinces(await statusAll())
    for (const [key, since] of was) t.ok(Math.abs((now.get(key) ?? 0) - since) <= JITTER_MS, `round ${round}: ${key} kept its since`)
    const tor = await torUptimes(lab)
    for (const address of [n3.plan.ipv4, n3.plan.ipv6].map(canonicalCidr)) {
      t.equal(tor.get(address), torBefore.get(address), `round ${round}: the ToR's session with node-3 ${address} was not reset`)
    }
  }
  await lab.falconerOk(n3, ['node', 'bgp', 'peer', 'remove', NEW_PEER.v4])
  await lab.falconerOk(n3, ['node', 'bgp', 'peer', 'remove', NEW_PEER.v6])
})

t.test('gobgpd killed: back with its sessions, and no kernel route lost meanwhile', async (t) => {
  const blocks = await allBlocks(lab)
  // What must stay routed: every route to another node's block, on every node.
  const expected = lab.nodes.flatMap((node) => ([4, 6] as const).flatMap((family) =>
    lab.nodes.filter((o) => o !== node).flatMap((o) => (blocks.get(o.name)?.[family === 4 ? 'v4' : 'v6'] ?? []).map((block) => ({ node, family, block })))))
  const missingNow = async () => {
    const have = new Map<string, Set<string>>()
    for (const node of lab.nodes) {
      for (const family of [4, 6] as const) have.set(`${node.name}/${family}`, new Set((await lab.programmedRoutes(node, family)).map((r) => canonicalCidr(r.dst))))
    }
    return expected.filter((e) => !have.get(`${e.node.name}/${e.family}`)?.has(e.block)).map((e) => `${e.node.name} ${e.block}`)
  }
  t.same(await missingNow(), [], 'every route present before the kill')

  const old = await lab.gobgpdPid(n3)
  t.ok(old !== undefined, 'node-3 runs gobgpd')
  let sampling = true
  let samples = 0
  const lost = new Set<string>()
  const sampler = (async () => {
    while (sampling) {
      for (const m of await missingNow()) lost.add(m)
      samples++
      await pause(200)
    }
  })()
  process.kill(old!, 'SIGKILL')
  const fresh = await lab.waitFor('a new gobgpd on node-3', async () => {
    const now = await lab.gobgpdPid(n3)
    return now !== undefined && now !== old ? now : undefined
  }, 60_000, 250)
  t.not(fresh, old, `gobgpd restarted (pid ${old} → ${fresh})`)
  await waitEstablished(lab)
  t.pass('every session Established again')
  await waitMeshRoutes(lab)
  sampling = false
  await sampler
  t.ok(samples >= 3, `${samples} samples of every node's kernel taken while gobgpd was down and back`)
  t.same([...lost], [], 'no kernel route was missing in any sample')
})

t.test('a block released is withdrawn everywhere', async (t) => {
  const blocks = await allBlocks(lab)
  const block = blocks.get(n3.name)!.v4[0]!
  await lab.falconerOk('infra', ['ipam', 'release', `--block=${block}`])
  await lab.waitFor(`${block} withdrawn from node-1, node-2 and the ToR`, async () => {
    for (const node of [n1, n2]) {
      if ((await lab.programmedRoutes(node, 4)).some((r) => canonicalCidr(r.dst) === block)) return false
    }
    return !(await lab.torRib(4)).some((p) => canonicalCidr(p.prefix) === block)
  }, 60_000, 500)
  t.pass(`${block} gone from the other nodes' kernels and the ToR's RIB`)
  const local = await lab.nodeGobgp(n3, ['global', 'rib', '-a', 'ipv4']) as Record<string, unknown> | null
  t.notOk(Object.keys(local ?? {}).map(canonicalCidr).includes(block), 'no longer originated by node-3\'s gobgpd')
  const other = blocks.get(n1.name)!.v4[0]!
  t.ok((await lab.programmedRoutes(n3, 4)).some((r) => canonicalCidr(r.dst) === other), `node-3 still routes node-1's ${other}`)
})
