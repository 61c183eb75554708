// BIRD 1.6 and BIRD 2 in one cluster: node-1 runs BIRD 1.6 (bird + bird6), node-2 and
// node-3 run BIRD 2 (one bird for both families, FALCONER_BIRD_BIN), plus the gobgpd
// top-of-rack. Every mesh and ToR session is Established in both families, every node's
// kernel routes every other node's blocks, the ToR holds every node's blocks; a peer added
// on a BIRD 2 node resets no other session; BIRD 2 killed comes back with its sessions;
// CalicoNodeStatus of a BIRD 2 node fills birdV4 and birdV6 from the one daemon.
import t from 'tap'
import { existsSync } from 'node:fs'
import { parse } from 'yaml'
import { pause, peersOf, startLab, topology, waitEstablished, waitMeshRoutes, waitTorRoutes, type LabNode, type NodeStatus } from '../helpers/lab.js'
import { requireBird2 } from '../helpers/bird2.js'
import { exec } from '../helpers/netns.js'

const bird2Bin = requireBird2()
const lab = await startLab(t, { name: 'mb', nodes: 3, bird2Nodes: [2, 3], bird2Bin })
const [n1, n2, n3] = lab.nodes as [LabNode, LabNode, LabNode]
const NEW_PEER = { v4: '10.99.0.3', v6: 'fd99::3', as: '65003' }
/** BIRD prints times in whole seconds, the same instant ±1 s apart; a restart jumps further. */
const JITTER_MS = 1_000
const SETTLED_MS = 5_000

function sinces(statuses: Map<string, NodeStatus>): Map<string, number> {
  const out = new Map<string, number>()
  for (const [node, s] of statuses) {
    for (const family of [4, 6] as const) {
      for (const p of peersOf(s, family)) out.set(`${node}/${p.protocol}`, new Date(p.since.replace(' ', 'T')).getTime())
    }
  }
  return out
}
const statusAll = async () => new Map(await Promise.all(lab.nodes.map(async (n) => [n.name, await lab.nodeStatus(n)] as const)))

t.test('the nodes run the BIRD they were given', async (t) => {
  t.equal(n1.birdGeneration, 1)
  t.ok(await lab.birdPid(n1, 4) !== undefined && await lab.birdPid(n1, 6) !== undefined, 'node-1: bird and bird6')
  for (const n of [n2, n3]) {
    t.equal(n.birdGeneration, 2)
    const pid = await lab.birdPid(n, 4)
    t.ok(pid !== undefined, `${n.name}: one bird`)
    t.notOk(existsSync(n.bird6Socket), `${n.name}: no bird6 socket`)
    t.match(await lab.birdc(n, 4, ['show', 'status']), /BIRD 2\.\d+/, `${n.name}: BIRD 2 answers on bird.ctl`)
  }
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
  // The operator's table from the one BIRD 2 daemon: both families.
  const table = await lab.falconerOk(n2, ['node', 'status'])
  t.match(table, /Calico process is running\./)
  t.match(table, new RegExp(`IPv4 BGP status[\\s\\S]*\\| ${n1.plan.ipv4.replace(/\./g, '\\.')} +\\| node-to-node mesh \\| up +\\| [^|]+\\| Established`))
  t.match(table, new RegExp(`IPv6 BGP status[\\s\\S]*\\| ${n1.plan.ipv6} +\\| node-to-node mesh \\| up +\\| [^|]+\\| Established`))
  t.match(table, new RegExp(`\\| ${topology.TOR_V6} +\\| global +\\| up`))
})

t.test('kernel routes between BIRD 1.6 and BIRD 2 nodes, and the ToR holds every block', async (t) => {
  const blocks = await waitMeshRoutes(lab)
  for (const node of lab.nodes) {
    for (const family of [4, 6] as const) {
      const routes = await lab.kernelRoutes(node, family, 'bird')
      for (const other of lab.nodes.filter((n) => n !== node)) {
        for (const block of blocks.get(other.name)?.[family === 4 ? 'v4' : 'v6'] ?? []) {
          const route = routes.find((r) => topology.canonicalCidr(r.dst) === block)
          t.equal(route?.gateway, family === 4 ? other.plan.ipv4 : other.plan.ipv6, `${node.name} (BIRD ${node.birdGeneration === 2 ? '2' : '1.6'}): ${block} via ${other.name}`)
        }
      }
    }
  }
  await waitTorRoutes(lab)
  t.pass('the ToR holds every node\'s IPv4 and IPv6 blocks')
})

t.test('`bird config` on a BIRD 2 node prints the one BIRD 2 file', async (t) => {
  const text = await lab.falconerOk(n2, ['bird', 'config'])
  t.match(text, `protocol bgp Mesh_${n1.plan.ipv4.replace(/\./g, '_')} from bgp_template_v4`)
  t.match(text, `protocol bgp Mesh_${n1.plan.ipv6.replace(/:/g, '_')} from bgp_template_v6`)
  t.match(text, /protocol kernel kernel6 \{\n {2}ipv6 \{/)
})

t.test('CalicoNodeStatus of a BIRD 2 node: birdV4 and birdV6 from the one daemon', async (t) => {
  await lab.apply('node-2-status.yaml', `apiVersion: projectcalico.org/v3
kind: CalicoNodeStatus
metadata:
  name: node-2-status
spec:
  node: ${n2.name}
  classes: [Agent, BGP]
  updatePeriodSeconds: 2
`)
  interface Cns { status?: { agent?: { birdV4?: { state: string; version?: string }; birdV6?: { state: string; version?: string } }; bgp?: { numberEstablishedV4: number; numberEstablishedV6: number } } }
  const cns = await lab.waitFor('node-2 to fill its status', async () => {
    const doc = parse(await lab.falconerOk('infra', ['get', 'caliconodestatus', 'node-2-status', '-o', 'yaml'])) as Cns
    return doc.status?.bgp?.numberEstablishedV4 === 3 && doc.status.bgp.numberEstablishedV6 === 3 ? doc : undefined
  }, 90_000, 1_000)
  t.equal(cns.status?.agent?.birdV4?.state, 'Ready')
  t.equal(cns.status?.agent?.birdV6?.state, 'Ready')
  t.match(cns.status?.agent?.birdV6?.version, /^v?2\./, 'the version is BIRD 2\'s')
})

t.test('health and metrics of a BIRD 2 node: both families from the one daemon', async (t) => {
  const get = async (path: string) => {
    const script = `fetch('http://127.0.0.1:9099${path}').then(async (r) => console.log(r.status + ' ' + await r.text()))`
    return (await exec(n2.ns, process.execPath, ['-e', script], { timeoutMs: 20_000 })).stdout
  }
  const metrics = await lab.waitFor('node-2 metrics with every session', async () => {
    const text = await get('/metrics')
    return /falconer_bgp_sessions\{family="ipv6",state="established"\} 3/.test(text) ? text : undefined
  }, 60_000, 1_000)
  t.match(metrics, /falconer_bgp_sessions\{family="ipv4",state="established"\} 3/)
  t.match(metrics, /falconer_bird_up\{daemon="bird"\} 1/)
  t.match(metrics, new RegExp(`falconer_bgp_session_state\\{family="ipv6",peer="${n1.plan.ipv6}",type="NodeMesh"\\} `))
  t.match(await get('/readiness'), /^200 /, 'ready')
})

t.test('a peer added on a BIRD 2 node resets no other session', async (t) => {
  const before = await lab.waitFor('every session up for a few seconds', async () => {
    const s = await statusAll()
    return Date.now() - Math.max(...sinces(s).values()) > SETTLED_MS + JITTER_MS ? s : undefined
  }, 60_000, 1_000)
  const pid = await lab.birdPid(n2, 4)
  await lab.falconerOk(n2, ['node', 'bgp', 'peer', 'add', NEW_PEER.v4, 'as', NEW_PEER.as])
  await lab.falconerOk(n2, ['node', 'bgp', 'peer', 'add', NEW_PEER.v6, 'as', NEW_PEER.as])
  await lab.waitFor('the new peers in node-2\'s BIRD 2', async () => {
    const s = await lab.nodeStatus(n2)
    return peersOf(s, 4).some((p) => p.peerAddress === NEW_PEER.v4) && peersOf(s, 6).some((p) => p.peerAddress === NEW_PEER.v6)
  }, 30_000, 250)
  t.equal(await lab.birdPid(n2, 4), pid, 'BIRD 2 reconfigured, not restarted')
  const was = sinces(before)
  for (const round of [1, 2]) {
    if (round === 2) await pause(5_000)
    const now = sinces(await statusAll())
    for (const [key, since] of was) {
      t.ok(Math.abs((now.get(key) ?? 0) - since) <= JITTER_MS, `round ${round}: ${key} kept its since`)
    }
  }
  await lab.falconerOk(n2, ['node', 'bgp', 'peer', 'remove', NEW_PEER.v4])
  await lab.falconerOk(n2, ['node', 'bgp', 'peer', 'remove', NEW_PEER.v6])
})

t.test('BIRD 2 killed with SIGKILL comes back with its sessions', async (t) => {
  const old = await lab.birdPid(n3, 4)
  t.ok(old !== undefined, 'node-3 runs bird')
  process.kill(old!, 'SIGKILL')
  const fresh = await lab.waitFor('a new bird on node-3', async () => {
    const now = await lab.birdPid(n3, 4)
    return now !== undefined && now !== old ? now : undefined
  }, 60_000, 250)
  t.not(fresh, old, `bird restarted (pid ${old} → ${fresh})`)
  await waitEstablished(lab)
  t.pass('every session Established again')
  await waitMeshRoutes(lab)
  t.pass('every node routes every other node\'s blocks again')
})
