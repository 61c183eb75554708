// BIRD 1.6 and BIRD 2 in one cluster, changed and broken: node-1 runs BIRD 1.6, node-2
// BIRD 2, with the gobgpd top-of-rack. A peer added on the BIRD 2 node moves no session's
// `since` on any node, and BIRD 2 is reconfigured, not restarted; BIRD 2 killed with
// SIGKILL is restarted by the agent and every session and route comes back.
import t from 'tap'
import { pause, peersOf, startLab, waitEstablished, waitMeshRoutes, type LabNode, type NodeStatus } from '../helpers/lab.js'
import { requireBird2 } from '../helpers/bird2.js'

const bird2Bin = requireBird2()
const lab = await startLab(t, { name: 'mc', nodes: 2, bird2Nodes: [2], bird2Bin })
const [n1, n2] = lab.nodes as [LabNode, LabNode]
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

t.test('a peer added on a BIRD 2 node resets no other session', async (t) => {
  t.equal(n1.birdGeneration, 1)
  t.equal(n2.birdGeneration, 2)
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
  const old = await lab.birdPid(n2, 4)
  t.ok(old !== undefined, 'node-2 runs bird')
  process.kill(old!, 'SIGKILL')
  const fresh = await lab.waitFor('a new bird on node-2', async () => {
    const now = await lab.birdPid(n2, 4)
    return now !== undefined && now !== old ? now : undefined
  }, 60_000, 250)
  t.not(fresh, old, `bird restarted (pid ${old} → ${fresh})`)
  await waitEstablished(lab)
  t.pass('every session Established again')
  await waitMeshRoutes(lab)
  t.pass('every node routes every other node\'s blocks again')
})
