// Fault scenario: a node cut off from etcd. The nodes reach etcd over a link of their own
// (eth1, on a second bridge) and each other over eth0, so cutting node-1's etcd link (its
// bridge port goes down, the node sees its carrier drop) isolates it from the datastore
// while every BGP session stays reachable. For the length of the cut:
//  - BIRD keeps its config (bird.cfg not rewritten) and its sessions (none restarts);
//  - no route is lost: node-1 keeps its kernel routes to node-2's blocks, node-2 to node-1's;
//  - node-1's /readiness turns 503 "datastore not in sync" and stays so until the link is back.
// A BGPPeer created during the cut reaches node-2 at once and node-1 once the link is back;
// the time from the link coming back to node-1's bird.cfg holding it is printed.
import { readFile, stat } from 'node:fs/promises'
import t from 'tap'
import { sameBirdSince, startLab, waitMeshRoutes, type LabNode } from '../helpers/lab.js'

/** How long the link stays down. */
const CUT_MS = 60_000
/** The cut starts this long before the change is written (the agent is surely cut off by then). */
const CHANGE_AFTER_MS = 5_000
const SAMPLE_MS = 2_000
const EXTRA_PEER = { name: 'during-cut', v4: '10.99.0.5', as: 65005 }

const lab = await startLab(t, { name: 'fc', nodes: 2, tor: false, etcd: 'separate-link' })
const [n1, n2] = lab.nodes as [LabNode, LabNode]
const blocks = await waitMeshRoutes(lab)

/** The other node's blocks this node has no kernel route (proto bird) to. */
async function missingRoutes(node: LabNode, other: LabNode): Promise<string[]> {
  const missing: string[] = []
  for (const [family, key] of [[4, 'v4'], [6, 'v6']] as const) {
    const have = await lab.birdRoutes(node, family)
    for (const b of blocks.get(other.name)?.[key] ?? []) if (!have.has(b)) missing.push(b)
  }
  return missing
}

async function hasPeer(node: LabNode): Promise<boolean> {
  return (await readFile(node.birdConfig, 'utf8')).includes(EXTRA_PEER.v4)
}

t.test(`node-1 cut off from etcd for ${CUT_MS / 1000} s keeps BIRD as it was and catches up after`, async (t) => {
  await lab.waitFor('node-1 to be ready', async () => (await lab.health(n1, 'readiness')).code === 200, 120_000, 1_000)
  const cfgBefore = await readFile(n1.birdConfig, 'utf8')
  const mtimeBefore = (await stat(n1.birdConfig)).mtimeMs
  const sessionsBefore = await lab.birdSessions(n1)
  t.ok(sessionsBefore.size >= 2 && [...sessionsBefore.values()].every((s) => s.state === 'up Established'), `node-1's sessions Established: ${[...sessionsBefore.keys()].join(', ')}`)
  t.same(await missingRoutes(n1, n2), [], "node-1 routes to node-2's blocks")
  t.same(await missingRoutes(n2, n1), [], "node-2 routes to node-1's blocks")

  await lab.cutEtcdLink(n1)
  const cutAt = Date.now()
  let restored = false
  const lostRoutes: string[] = []
  const sessionChanges: string[] = []
  let notSyncedAt: number | undefined
  const syncedAgainDuringCut: number[] = []
  let changeWritten = false
  let samples = 0
  try {
    while (Date.now() - cutAt < CUT_MS) {
      const at = Math.round((Date.now() - cutAt) / 1000)
      if (!changeWritten && Date.now() - cutAt >= CHANGE_AFTER_MS) {
        const peer = {
          apiVersion: 'projectcalico.org/v3',
          kind: 'BGPPeer',
          metadata: { name: EXTRA_PEER.name, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), uid: 'fa0c0000-0000-4000-8000-000000000001' },
          spec: { peerIP: EXTRA_PEER.v4, asNumber: EXTRA_PEER.as },
        }
        await lab.etcdctl(['put', `/calico/resources/v3/projectcalico.org/bgppeers/${EXTRA_PEER.name}`, JSON.stringify(peer)])
        changeWritten = true
      }
      samples++
      for (const b of await missingRoutes(n1, n2)) lostRoutes.push(`${at} s: node-1 lost ${b}`)
      for (const b of await missingRoutes(n2, n1)) lostRoutes.push(`${at} s: node-2 lost ${b}`)
      const sessions = await lab.birdSessions(n1)
      for (const [name, s] of sessionsBefore) {
        const now = sessions.get(name)
        if (!sameBirdSince(now?.since, s.since) || now?.state !== s.state) sessionChanges.push(`${at} s: ${name} ${now?.state ?? 'gone'} since ${now?.since ?? '-'}`)
      }
      const ready = await lab.health(n1, 'readiness')
      const unsynced = ready.code === 503 && ready.body.includes('datastore not in sync')
      if (unsynced) notSyncedAt ??= Date.now()
      else if (notSyncedAt !== undefined) syncedAgainDuringCut.push(at)
      await new Promise((r) => setTimeout(r, SAMPLE_MS))
    }
    t.equal(await readFile(n1.birdConfig, 'utf8'), cfgBefore, 'node-1: bird.cfg unchanged during the cut')
    t.equal((await stat(n1.birdConfig)).mtimeMs, mtimeBefore, 'node-1: bird.cfg not rewritten during the cut')
    t.notOk(await hasPeer(n1), 'node-1 did not see the change made during the cut')
    t.ok(await hasPeer(n2), 'node-2, still connected, applied it')
    await lab.restoreEtcdLink(n1)
    restored = true
  } finally {
    if (!restored) await lab.restoreEtcdLink(n1)
  }
  const restoredAt = Date.now()

  t.ok(samples >= 10, `${samples} samples during the cut`)
  t.same(lostRoutes, [], 'no route lost on either node during the cut')
  t.same(sessionChanges, [], "no session of node-1's changed during the cut")
  t.ok(notSyncedAt !== undefined, '/readiness said "datastore not in sync" during the cut')
  t.same(syncedAgainDuringCut, [], 'and never in sync again until the link came back')

  await lab.waitFor("node-1's bird.cfg to hold the peer added during the cut", () => hasPeer(n1), 120_000, 100)
  const caughtUp = Date.now() - restoredAt
  await lab.waitFor('node-1 to be ready again', async () => (await lab.health(n1, 'readiness')).code === 200, 60_000, 500)
  const readyAgain = Date.now() - restoredAt
  t.same(await missingRoutes(n1, n2), [], "node-1 still routes to node-2's blocks")
  const after = await lab.birdSessions(n1)
  for (const [name, s] of sessionsBefore) {
    t.ok(sameBirdSince(after.get(name)?.since, s.since), `${name}: not reset by the catch-up reconfiguration (${s.since} → ${after.get(name)?.since})`)
  }
  t.comment(`etcd link cut ${CUT_MS / 1000} s; readiness not-synced ${notSyncedAt === undefined ? 'never' : `${((notSyncedAt - cutAt) / 1000).toFixed(1)} s`} after the cut; ` +
    `change in bird.cfg ${(caughtUp / 1000).toFixed(1)} s and ready ${(readyAgain / 1000).toFixed(1)} s after the link came back; routes lost: ${lostRoutes.length}`)
})
