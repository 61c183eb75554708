// Scenario 9: a CalicoNodeStatus for node-1 (classes Agent, BGP, Routes; every 5 s),
// created with `falconer apply -f`, is filled in by node-1's agent: BIRD Ready, its
// Established peers (mesh and ToR, both families) and its routes, read back with
// `falconer get caliconodestatus NAME -o yaml`.
import t from 'tap'
import { parse } from 'yaml'
import { startLab, topology, waitMeshRoutes, type LabNode } from '../helpers/lab.js'

const NAME = 'node-1-status'
const lab = await startLab(t, { name: 'e9', nodes: 2 })
const [n1, n2] = lab.nodes as [LabNode, LabNode]
const blocks = await waitMeshRoutes(lab)

interface PeerStatus { peerIP: string; type: string; state: string; since: string }
interface RouteStatus { type: string; destination: string; gateway: string; interface: string; learnedFrom: { sourceType: string; peerIP?: string } }
interface Cns {
  kind: string
  metadata: { name: string }
  spec: { node: string; classes: string[]; updatePeriodSeconds: number }
  status?: {
    lastUpdated?: string
    agent?: { birdV4?: { state: string; routerID?: string }; birdV6?: { state: string; routerID?: string } }
    bgp?: { numberEstablishedV4: number; numberEstablishedV6: number; numberNotEstablishedV4: number; numberNotEstablishedV6: number; peersV4?: PeerStatus[]; peersV6?: PeerStatus[] }
    routes?: { routesV4?: RouteStatus[]; routesV6?: RouteStatus[] }
  }
}

t.test('CalicoNodeStatus is filled with Established peers and routes', async (t) => {
  const applied = await lab.apply('node-status.yaml', `apiVersion: projectcalico.org/v3
kind: CalicoNodeStatus
metadata:
  name: ${NAME}
spec:
  node: ${n1.name}
  classes:
    - Agent
    - BGP
    - Routes
  updatePeriodSeconds: 5
`)
  t.match(applied, /1/, `apply -f reports the resource: ${applied.trim()}`)

  const cns = await lab.waitFor('the agent to fill in the status', async () => {
    const out = await lab.falconerOk('infra', ['get', 'caliconodestatus', NAME, '-o', 'yaml'])
    const doc = parse(out) as Cns
    const bgp = doc.status?.bgp
    const complete = bgp?.numberEstablishedV4 === 2 && bgp.numberEstablishedV6 === 2 &&
      (doc.status?.routes?.routesV4 ?? []).some((r) => blocks.get(n2.name)?.v4.includes(topology.canonicalCidr(r.destination))) &&
      (doc.status?.routes?.routesV6 ?? []).some((r) => blocks.get(n2.name)?.v6.includes(topology.canonicalCidr(r.destination)))
    return complete ? doc : undefined
  }, 90_000, 1_000)

  t.equal(cns.kind, 'CalicoNodeStatus')
  t.same(cns.spec, { node: n1.name, classes: ['Agent', 'BGP', 'Routes'], updatePeriodSeconds: 5 }, 'spec as applied')
  t.ok(cns.status?.lastUpdated, `lastUpdated ${cns.status?.lastUpdated}`)
  t.equal(cns.status?.agent?.birdV4?.state, 'Ready', 'agent: bird Ready')
  t.equal(cns.status?.agent?.birdV6?.state, 'Ready', 'agent: bird6 Ready')
  t.equal(cns.status?.agent?.birdV4?.routerID, n1.plan.ipv4, "agent: bird's router id is node-1's address")

  const bgp = cns.status?.bgp
  t.equal(bgp?.numberNotEstablishedV4, 0, 'no IPv4 session down')
  t.equal(bgp?.numberNotEstablishedV6, 0, 'no IPv6 session down')
  const peer = (list: PeerStatus[] | undefined, ip: string) => list?.find((p) => p.peerIP === ip)
  for (const [list, mesh, tor] of [[bgp?.peersV4, n2.plan.ipv4, topology.TOR_V4], [bgp?.peersV6, n2.plan.ipv6, topology.TOR_V6]] as const) {
    t.match(peer(list, mesh), { type: 'NodeMesh', state: 'Established' }, `peer ${mesh}: mesh, Established`)
    t.match(peer(list, tor), { type: 'GlobalPeer', state: 'Established' }, `peer ${tor}: global, Established`)
    t.ok(peer(list, mesh)?.since, `peer ${mesh} has a since`)
  }

  for (const [list, key, via] of [[cns.status?.routes?.routesV4, 'v4', n2.plan.ipv4], [cns.status?.routes?.routesV6, 'v6', n2.plan.ipv6]] as const) {
    for (const block of blocks.get(n2.name)?.[key] ?? []) {
      const r = list?.find((x) => topology.canonicalCidr(x.destination) === block && x.learnedFrom.sourceType === 'NodeMesh')
      t.ok(r, `route to node-2's ${block} learned from the mesh`)
      t.equal(r?.learnedFrom.peerIP, via, `${block} learned from ${via}`)
      t.equal(r?.gateway, via, `${block} via ${via}`)
    }
  }

  // Kept up to date: the reporter writes when what it reports changes (a peer nobody
  // answers is added to node-1), within a few update periods.
  const first = cns.status?.lastUpdated
  await lab.falconerOk(n1, ['node', 'bgp', 'peer', 'add', '10.99.0.5', 'as', '65005'])
  const changed = await lab.waitFor('the status to show the new peer', async () => {
    const doc = parse(await lab.falconerOk('infra', ['get', 'caliconodestatus', NAME, '-o', 'yaml'])) as Cns
    return doc.status?.bgp?.peersV4?.some((p) => p.peerIP === '10.99.0.5') ? doc : undefined
  }, 60_000, 1_000)
  t.match(peer(changed.status?.bgp?.peersV4, '10.99.0.5'), { type: 'NodePeer' }, 'the new peer is listed as node-specific')
  t.not(peer(changed.status?.bgp?.peersV4, '10.99.0.5')?.state, 'Established', 'and not Established')
  t.equal(changed.status?.bgp?.numberNotEstablishedV4, 1, 'one IPv4 session not Established')
  t.equal(changed.status?.bgp?.numberEstablishedV4, 2, 'the others still Established')
  t.not(changed.status?.lastUpdated, first, `lastUpdated moved on (${first} → ${changed.status?.lastUpdated})`)
})
