// Scenario 3: with the node-to-node mesh turned off (`config set nodeToNodeMesh off`) and
// node-specific peers configured (`node bgp peer add` on node-1 and node-2, pointing at
// each other), only the configured sessions exist: node-1 ↔ node-2 as node peers, every
// node ↔ the ToR as global peers, and nothing between node-3 and the others.
import t from 'tap'
import { allBlocks, peersOf, startLab, topology, waitEstablished, type LabNode } from '../helpers/lab.js'

const lab = await startLab(t, { name: 'e3', nodes: 3 })
const [n1, n2, n3] = lab.nodes as [LabNode, LabNode, LabNode]
const tor = { v4: [topology.TOR_V4], v6: [topology.TOR_V6] }

t.test('mesh off: only the ToR sessions remain', async (t) => {
  t.match(await lab.falconerOk('infra', ['config', 'set', 'nodeToNodeMesh', 'off']), /^$|set|off/i)
  t.equal((await lab.falconerOk('infra', ['config', 'get', 'nodeToNodeMesh'])).trim(), 'off')
  await waitEstablished(lab, { expect: () => tor })
  for (const node of lab.nodes) {
    const status = await lab.nodeStatus(node)
    t.same(peersOf(status, 4).map((p) => p.type), ['GlobalPeer'], `${node.name}: only the ToR over IPv4`)
    t.same(peersOf(status, 6).map((p) => p.type), ['GlobalPeer'], `${node.name}: only the ToR over IPv6`)
  }
})

t.test('node-specific peers between node-1 and node-2', async (t) => {
  for (const [from, to] of [[n1, n2], [n2, n1]] as const) {
    await lab.falconerOk(from, ['node', 'bgp', 'peer', 'add', to.plan.ipv4, 'as', String(topology.NODE_AS)])
    await lab.falconerOk(from, ['node', 'bgp', 'peer', 'add', to.plan.ipv6, 'as', String(topology.NODE_AS)])
    const shown = await lab.falconerOk(from, ['node', 'bgp', 'peer', 'show'])
    t.match(shown, to.plan.ipv4, `${from.name}: peer show lists ${to.plan.ipv4}`)
    t.match(shown, to.plan.ipv6, `${from.name}: peer show lists ${to.plan.ipv6}`)
  }
  const expected = new Map([
    [n1.name, { v4: [topology.TOR_V4, n2.plan.ipv4], v6: [topology.TOR_V6, n2.plan.ipv6] }],
    [n2.name, { v4: [topology.TOR_V4, n1.plan.ipv4], v6: [topology.TOR_V6, n1.plan.ipv6] }],
    [n3.name, tor],
  ])
  // Exactly these sessions, all Established: no mesh session comes back, none is missing.
  await waitEstablished(lab, { expect: (n) => expected.get(n.name) ?? tor })
  for (const [from, to] of [[n1, n2], [n2, n1]] as const) {
    const status = await lab.nodeStatus(from)
    for (const family of [4, 6] as const) {
      const peer = peersOf(status, family).find((p) => p.peerAddress === (family === 4 ? to.plan.ipv4 : to.plan.ipv6))
      t.equal(peer?.type, 'NodePeer', `${from.name} → ${to.name} IPv${family}: node-specific peer`)
      t.equal(peer?.bgpState, 'Established', `${from.name} → ${to.name} IPv${family}: Established`)
    }
  }
  const s3 = await lab.nodeStatus(n3)
  t.same(peersOf(s3, 4).map((p) => p.peerAddress), [topology.TOR_V4], 'node-3: the ToR only (IPv4)')
  t.same(peersOf(s3, 6).map((p) => p.peerAddress), [topology.TOR_V6], 'node-3: the ToR only (IPv6)')
})

t.test('routes follow the sessions', async (t) => {
  const blocks = await allBlocks(lab)
  const has = async (node: LabNode, owner: LabNode) => {
    const v4 = await lab.birdRoutes(node, 4)
    const v6 = await lab.birdRoutes(node, 6)
    const b = blocks.get(owner.name)
    return [...(b?.v4 ?? [])].every((x) => v4.has(x)) && [...(b?.v6 ?? [])].every((x) => v6.has(x))
  }
  const hasNone = async (node: LabNode, owner: LabNode) => {
    const v4 = await lab.birdRoutes(node, 4)
    const v6 = await lab.birdRoutes(node, 6)
    const b = blocks.get(owner.name)
    return ![...(b?.v4 ?? [])].some((x) => v4.has(x)) && ![...(b?.v6 ?? [])].some((x) => v6.has(x))
  }
  await lab.waitFor("node-1 and node-2 to route to each other's blocks", async () => (await has(n1, n2)) && (await has(n2, n1)))
  t.pass("node-1 and node-2 have kernel routes to each other's blocks")
  // node-3 has no session to either; what the ToR re-advertises carries AS 64512 in its
  // path, which node-3 (AS 64512) rejects as a loop. So once the mesh routes are withdrawn,
  // node-3 has no route to node-1's or node-2's blocks, and they none to node-3's.
  await lab.waitFor('mesh routes to be withdrawn', async () =>
    (await hasNone(n3, n1)) && (await hasNone(n3, n2)) && (await hasNone(n1, n3)) && (await hasNone(n2, n3)))
  t.pass('no routes between node-3 and the other nodes')
})
