// BIRD 1.6 and BIRD 2 in one cluster: node-1 runs BIRD 1.6 (bird + bird6), node-2 and
// node-3 run BIRD 2 (one bird for both families, FALCONER_BIRD_BIN), plus the gobgpd
// top-of-rack. Every mesh and ToR session is Established in both families, every node's
// kernel routes every other node's blocks, the ToR holds every node's blocks; `node status`,
// CalicoNodeStatus (birdV4 and birdV6), health and metrics of a BIRD 2 node come from the
// one daemon. (Changes and a BIRD 2 crash: mixed-bird-changes.test.ts.)
import t from 'tap'
import { existsSync } from 'node:fs'
import { parse } from 'yaml'
import { peersOf, startLab, topology, waitEstablished, waitMeshRoutes, waitTorRoutes, type LabNode } from '../helpers/lab.js'
import { requireBird2 } from '../helpers/bird2.js'
import { exec } from '../helpers/netns.js'

const bird2Bin = requireBird2()
const lab = await startLab(t, { name: 'mb', nodes: 3, bird2Nodes: [2, 3], bird2Bin })
const [n1, n2, n3] = lab.nodes as [LabNode, LabNode, LabNode]

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
  // the agent's health address: loopback by default, the node's address where the lab says so
  const get = async (path: string) => {
    const script = `const get = (h) => fetch('http://' + h + ':9099${path}').then(async (r) => r.status + ' ' + await r.text());` +
      `get('127.0.0.1').catch(() => get('${n2.plan.ipv4}')).then(console.log)`
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
