// Current-Calico BGPPeer fields on the wire: a top-of-rack speaker that is not BIRD (gobgpd,
// AS 65000) sees what a BGPFilter, nextHopMode and localASNumber change, and a peer reached
// through a gateway (reachableBy) gets its static route.
import t from 'tap'
import { allBlocks, peersOf, startLab, topology, waitTorRoutes } from '../helpers/lab.js'

// Six scenarios on one lab, each waiting for BGP to converge: minutes on a loaded machine.
t.setTimeout(900_000)

const lab = await startLab(t, { name: 'cf', nodes: 2 })
const [n1, n2] = lab.nodes as [(typeof lab.nodes)[number], (typeof lab.nodes)[number]]

interface WirePath {
  readonly prefix: string
  readonly neighbor: string
  readonly nexthop: string | undefined
  readonly asPath: readonly number[]
}

/** The ToR's RIB with each path's next hop and AS path, as gobgp prints them in JSON. */
async function torPaths(family: 4 | 6): Promise<WirePath[]> {
  const text = await lab.gobgp(['global', 'rib', '-a', family === 4 ? 'ipv4' : 'ipv6', '-j'])
  if (text.trim() === '' || text.trim() === 'null') return []
  const byPrefix = JSON.parse(text) as Record<string, { 'neighbor-ip'?: string; attrs?: Record<string, unknown>[] }[] | null>
  return Object.entries(byPrefix).flatMap(([prefix, paths]) =>
    (paths ?? []).map((p) => {
      const attrs = p.attrs ?? []
      const nexthop = attrs.find((a) => typeof a.nexthop === 'string')?.nexthop as string | undefined
      const segments = (attrs.find((a) => Array.isArray(a.as_paths))?.as_paths ?? []) as { asns?: number[] }[]
      return { prefix: topology.canonicalCidr(prefix), neighbor: topology.canonicalCidr(p['neighbor-ip'] ?? ''), nexthop, asPath: segments.flatMap((s) => s.asns ?? []) }
    }),
  )
}

const torPeer = (extra: string): string => `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: tor-v4
spec:
  peerIP: ${topology.TOR_V4}
  asNumber: ${topology.TOR_AS}
${extra}`

await waitTorRoutes(lab)
const blocks = await allBlocks(lab)
const n1v4 = blocks.get(n1.name)!.v4
const n2v4 = blocks.get(n2.name)!.v4

t.test('BGPFilter on the ToR peer: the rejected IPv4 blocks leave the ToR, IPv6 is untouched', async (t) => {
  await lab.apply(
    'filter.yaml',
    `apiVersion: projectcalico.org/v3
kind: BGPFilter
metadata:
  name: no-pool-v4
spec:
  exportV4:
  - action: Reject
    matchOperator: In
    cidr: ${topology.POOL_V4}
`,
  )
  await lab.apply('tor-filtered.yaml', torPeer('  filters: [no-pool-v4]\n'))
  const from = (n: typeof n1) => topology.canonicalCidr(n.plan.ipv4)
  await lab.waitFor('the ToR to lose every IPv4 block', async () => {
    const rib = await torPaths(4)
    return !rib.some((p) => [...n1v4, ...n2v4].includes(p.prefix))
  }, 60_000, 1_000)
  t.pass('no IPv4 block is in the ToR RIB')
  const v6 = await torPaths(6)
  for (const b of blocks.get(n1.name)!.v6) t.ok(v6.some((p) => p.prefix === b), `IPv6 block ${b} still at the ToR`)
  // The session itself stays up: only routes are filtered.
  const status = await lab.nodeStatus(n1)
  t.equal(peersOf(status, 4).find((p) => p.peerAddress === topology.TOR_V4)?.bgpState, 'Established')

  await lab.apply('tor-plain.yaml', torPeer(''))
  await lab.waitFor('the IPv4 blocks to come back', async () => {
    const rib = await torPaths(4)
    return n1v4.every((b) => rib.some((p) => p.prefix === b && p.neighbor === from(n1)))
  }, 60_000, 1_000)
  t.pass('removing the filter brings the blocks back')
})

// Toward an eBGP peer BIRD already announces itself (Auto = Self here); Keep is what changes the wire.
t.test("nextHopMode: Keep passes on another node's next hop; Self announces this node", async (t) => {
  const via = (rib: WirePath[]) => rib.find((p) => n2v4.includes(p.prefix) && p.neighbor === topology.canonicalCidr(n1.plan.ipv4))
  await lab.apply('tor-self.yaml', torPeer('  nextHopMode: Self\n'))
  await lab.waitFor('the ToR to see node-1 as next hop of node-2 blocks via node-1', async () => via(await torPaths(4))?.nexthop === n1.plan.ipv4, 60_000, 1_000)
  t.equal(via(await torPaths(4))?.nexthop, n1.plan.ipv4, 'Self: node-1 is the next hop')
  await lab.apply('tor-keep.yaml', torPeer('  nextHopMode: Keep\n'))
  await lab.waitFor('the ToR to see node-2 as next hop', async () => via(await torPaths(4))?.nexthop === n2.plan.ipv4, 60_000, 1_000)
  t.equal(via(await torPaths(4))?.nexthop, n2.plan.ipv4, 'Keep: the original next hop (node-2) is kept')
})

t.test('localASNumber: the ToR sees node-1 as the AS the BGPPeer names', async (t) => {
  await lab.apply('tor-local-as.yaml', torPeer('  node: node-1\n  localASNumber: 65010\n'))
  await lab.stopTor()
  await lab.startTor(65010)
  await lab.waitFor('the ToR session with node-1 in AS 65010', async () => {
    const neighbors = JSON.parse(await lab.gobgp(['neighbor', '-j'])) as { state: { neighbor_address: string; peer_asn: number; session_state: number } }[]
    const n = neighbors.find((x) => x.state.neighbor_address === n1.plan.ipv4)
    return n?.state.peer_asn === 65010 && n.state.session_state === 6
  }, 90_000, 1_000)
  t.pass('ESTABLISHED with node-1 as AS 65010')
  await lab.waitFor("node-1's blocks with AS path 65010", async () => {
    const rib = await torPaths(4)
    return n1v4.every((b) => rib.some((p) => p.prefix === b && p.asPath[0] === 65010))
  }, 60_000, 1_000)
  t.pass('AS path of node-1 blocks starts with 65010')
})

t.test('reachableBy: a static route to the peer through the gateway', async (t) => {
  await lab.apply(
    'reachable.yaml',
    `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: far-router
spec:
  node: node-2
  peerIP: 10.99.1.2
  asNumber: 65000
  reachableBy: ${topology.TOR_V4}
`,
  )
  await lab.waitFor('node-2 to program 10.99.1.2 via the ToR', async () => {
    const routes = await lab.kernelRoutes(n2, 4)
    return routes.some((r) => r.dst === '10.99.1.2' && r.gateway === topology.TOR_V4)
  }, 60_000, 1_000)
  t.pass('kernel route 10.99.1.2 via the ToR on node-2')
  const status = await lab.nodeStatus(n2)
  t.ok(peersOf(status, 4).some((p) => p.peerAddress === '10.99.1.2'), 'node-2 has a session configured to 10.99.1.2')
})

t.test('a password secret that is missing: the session is listed, held down, with the reason', async (t) => {
  await lab.apply(
    'locked.yaml',
    `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: locked
spec:
  node: node-1
  peerIP: 10.99.0.250
  asNumber: 65000
  password:
    secretKeyRef: {name: bgp-secrets, key: missing}
`,
  )
  const row = await lab.waitFor('node-1 to list the held-down session', async () =>
    peersOf(await lab.nodeStatus(n1), 4).find((p) => p.peerAddress === '10.99.0.250'),
  60_000, 1_000)
  t.match(row, { bgpState: '', info: 'withheld: BGP password not available' })
  const config = await lab.birdc(n1, 4, ['show', 'protocols', 'all', 'Node_10_99_0_250'])
  t.match(config, /Description:\s+withheld: BGP password not available/)
  t.notMatch(config, /BGP state:\s+Established/, 'never up without its password')
})

t.test('reversePeering: Auto makes the selected node peer back; Manual leaves it to the mesh', async (t) => {
  const peerOf = async (node: typeof n1, address: string) =>
    peersOf(await lab.nodeStatus(node), 4).find((p) => p.peerAddress === address)
  // node-1 peers with every other node (node-2) by its own BGPPeer.
  const manifest = (mode: string) => `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: one-to-all
spec:
  node: node-1
  peerSelector: all()
  reversePeering: ${mode}
`
  await lab.apply('reverse-manual.yaml', manifest('Manual'))
  await lab.waitFor("node-1's BGPPeer session to node-2", async () => (await peerOf(n1, n2.plan.ipv4))?.type === 'NodePeer', 60_000, 1_000)
  t.equal((await peerOf(n2, n1.plan.ipv4))?.type, 'NodeMesh', 'Manual: node-2 does not peer back for the BGPPeer (its mesh session remains)')
  await lab.apply('reverse-auto.yaml', manifest('Auto'))
  await lab.waitFor('node-2 to peer back', async () => (await peerOf(n2, n1.plan.ipv4))?.type === 'NodePeer', 60_000, 1_000)
  t.pass('Auto: node-2 peers back with node-1 (node specific)')
  await lab.waitFor('the session to be Established on both ends', async () =>
    (await peerOf(n2, n1.plan.ipv4))?.bgpState === 'Established' && (await peerOf(n1, n2.plan.ipv4))?.bgpState === 'Established', 60_000, 1_000)
  t.pass('Established both ways')
})
