// Scenario 2: the top-of-rack router (gobgpd, AS 65000), a global BGPPeer of every node,
// learns every node's blocks, IPv4 and IPv6, from the node that owns them.
import t from 'tap'
import { allBlocks, peersOf, startLab, topology, waitTorRoutes } from '../helpers/lab.js'

const lab = await startLab(t, { name: 'e2', nodes: 2 })

t.test('every node has Established global-peer sessions to the ToR', async (t) => {
  for (const node of lab.nodes) {
    const status = await lab.nodeStatus(node)
    for (const family of [4, 6] as const) {
      const tor = family === 4 ? topology.TOR_V4 : topology.TOR_V6
      const peer = peersOf(status, family).find((p) => p.peerAddress === tor)
      t.ok(peer, `${node.name}: IPv${family} session to the ToR ${tor}`)
      t.equal(peer?.type, 'GlobalPeer', `${node.name} → ${tor}: global peer`)
      t.equal(peer?.bgpState, 'Established', `${node.name} → ${tor}: Established`)
    }
  }
  // The ToR's side: one Established neighbor per node address.
  const neighbors = JSON.parse(await lab.gobgp(['neighbor', '-j'])) as { state: { neighbor_address: string; peer_asn: number; session_state: number } }[]
  for (const node of lab.nodes) {
    for (const address of [node.plan.ipv4, node.plan.ipv6]) {
      const n = neighbors.find((x) => x.state.neighbor_address === address)
      t.ok(n, `ToR has neighbor ${address}`)
      t.equal(n?.state.peer_asn, topology.NODE_AS, `ToR neighbor ${address} is AS ${topology.NODE_AS}`)
      t.equal(n?.state.session_state, 6, `ToR neighbor ${address} is ESTABLISHED`)
    }
  }
})

t.test("the ToR's RIB holds every node's blocks, learned from their owner", async (t) => {
  await waitTorRoutes(lab)
  const blocks = await allBlocks(lab)
  for (const family of [4, 6] as const) {
    const rib = await lab.torRib(family)
    for (const node of lab.nodes) {
      const owner = family === 4 ? node.plan.ipv4 : node.plan.ipv6
      for (const block of blocks.get(node.name)?.[family === 4 ? 'v4' : 'v6'] ?? []) {
        const paths = rib.filter((p) => topology.canonicalCidr(p.prefix) === block)
        t.ok(paths.some((p) => topology.canonicalCidr(p.neighbor) === topology.canonicalCidr(owner)), `ToR: ${block} from ${node.name} (${owner})`)
      }
    }
  }
  // What an operator at the ToR types.
  const text = await lab.gobgp(['global', 'rib'])
  for (const node of lab.nodes) {
    for (const block of blocks.get(node.name)?.v4 ?? []) t.match(text, block, `gobgp global rib lists ${block}`)
  }
})
