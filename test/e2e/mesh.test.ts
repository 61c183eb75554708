// Scenario 1: a three-node full mesh. Every node shows a session to every other node,
// IPv4 and IPv6, all Established, and has a kernel route (proto bird) to every other
// node's address blocks via that node.
import t from 'tap'
import { peersOf, startLab, topology, waitMeshRoutes } from '../helpers/lab.js'

const lab = await startLab(t, { name: 'e1', nodes: 3, tor: false })

t.test('every node has an Established mesh session to every other node', async (t) => {
  for (const node of lab.nodes) {
    const status = await lab.nodeStatus(node)
    t.equal(status.running, true, `${node.name}: BIRD runs`)
    for (const family of [4, 6] as const) {
      const peers = peersOf(status, family)
      const others = lab.nodes.filter((n) => n !== node).map((n) => (family === 4 ? n.plan.ipv4 : n.plan.ipv6))
      t.same(peers.map((p) => p.peerAddress).sort(), [...others].sort(), `${node.name} IPv${family}: one session per other node`)
      for (const p of peers) {
        t.equal(p.type, 'NodeMesh', `${node.name} → ${p.peerAddress}: node-to-node mesh`)
        t.equal(p.bgpState, 'Established', `${node.name} → ${p.peerAddress}: Established`)
      }
    }
    // The operator's view: calicoctl's table.
    const table = await lab.falconerOk(node, ['node', 'status'])
    t.match(table, /Calico process is running\./)
    t.match(table, /IPv4 BGP status/)
    t.match(table, /IPv6 BGP status/)
    for (const other of lab.nodes.filter((n) => n !== node)) {
      t.match(table, new RegExp(`\\| ${other.plan.ipv4.replace(/\./g, '\\.')} +\\| node-to-node mesh \\| up +\\| [^|]+\\| Established`))
      t.match(table, new RegExp(`\\| ${other.plan.ipv6} +\\| node-to-node mesh \\| up +\\| [^|]+\\| Established`))
    }
  }
})

t.test("each node's blocks are in every other node's kernel table, via that node", async (t) => {
  const blocks = await waitMeshRoutes(lab)
  for (const node of lab.nodes) {
    for (const family of [4, 6] as const) {
      const routes = await lab.kernelRoutes(node, family, 'bird')
      for (const other of lab.nodes.filter((n) => n !== node)) {
        const owned = blocks.get(other.name)?.[family === 4 ? 'v4' : 'v6'] ?? []
        t.ok(owned.length > 0, `${other.name} owns an IPv${family} block`)
        for (const block of owned) {
          const route = routes.find((r) => topology.canonicalCidr(r.dst) === block)
          t.ok(route, `${node.name}: kernel route to ${block} (${other.name})`)
          t.equal(route?.protocol, 'bird', `${node.name}: ${block} is proto bird`)
          t.equal(route?.gateway, family === 4 ? other.plan.ipv4 : other.plan.ipv6, `${node.name}: ${block} via ${other.name}`)
        }
      }
      // Its own blocks are blackholes, exported whole.
      for (const block of blocks.get(node.name)?.[family === 4 ? 'v4' : 'v6'] ?? []) {
        const own = routes.find((r) => topology.canonicalCidr(r.dst) === block)
        t.equal(own?.type, 'blackhole', `${node.name}: own block ${block} is a blackhole`)
      }
    }
  }
})
