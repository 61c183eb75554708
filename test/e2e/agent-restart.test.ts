// Scenario 8: restarting the agent (SIGTERM, as systemd does, then start it again) must
// not withdraw the node's routes from its peers beyond graceful restart: throughout the
// restart the ToR keeps a path for node-1's blocks learned from node-1 (possibly marked
// stale), IPv4 and IPv6, and afterwards the sessions are Established again. BIRD must
// really go down with the agent, and the ToR must really mark the paths stale (not merely
// keep a live session): both are asserted.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { pause, startLab, topology, waitEstablished, waitMeshRoutes, waitTorRoutes, type LabNode, type RibPath } from '../helpers/lab.js'

const lab = await startLab(t, { name: 'e8', nodes: 2 })
const [n1] = lab.nodes as [LabNode]
const blocks = await waitMeshRoutes(lab)
await waitTorRoutes(lab)

interface Gap {
  readonly at: number
  readonly family: 4 | 6
  readonly block: string
}

t.test("the ToR keeps node-1's routes while node-1's agent restarts", async (t) => {
  const watched = ([[4, 'v4'], [6, 'v6']] as const).flatMap(([family, key]) =>
    (blocks.get(n1.name)?.[key] ?? []).map((block) => ({ family, block, from: family === 4 ? n1.plan.ipv4 : n1.plan.ipv6 })))
  t.ok(watched.length >= 2, `watching ${watched.map((w) => w.block).join(', ')}`)
  const present = (rib: RibPath[], w: (typeof watched)[number]) =>
    rib.some((p) => topology.canonicalCidr(p.prefix) === w.block && topology.canonicalCidr(p.neighbor) === topology.canonicalCidr(w.from))

  // Sample the ToR's RIB continuously while the agent stops and starts.
  const gaps: Gap[] = []
  let samples = 0
  let staleSeen = false
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const [v4, v6] = await Promise.all([lab.torRib(4), lab.torRib(6)])
      samples++
      for (const w of watched) {
        const rib = w.family === 4 ? v4 : v6
        if (!present(rib, w)) gaps.push({ at: Date.now(), family: w.family, block: w.block })
        staleSeen ||= rib.some((p) => topology.canonicalCidr(p.prefix) === w.block && p.stale)
      }
      await pause(200)
    }
  })()

  try {
    const oldAgent = lab.agentPid(n1)
    const oldBirds = await Promise.all([lab.birdPid(n1, 4), lab.birdPid(n1, 6)])
    t.ok(oldBirds.every((p) => p !== undefined), `node-1 runs bird and bird6 (${oldBirds.join(', ')})`)
    await lab.stopAgent(n1)
    t.equal(lab.agentPid(n1), undefined, `the agent (pid ${oldAgent}) stopped on SIGTERM`)
    // BIRD went down with it: no process behind either pid any more.
    for (const pid of oldBirds) t.notOk(pid !== undefined && isAlive(pid), `BIRD pid ${pid} is gone`)
    // …without a NOTIFICATION: the ToR keeps node-1's paths, marked stale (graceful restart).
    const staleNow = await lab.waitFor("the ToR to mark node-1's paths stale", async () => {
      const [v4, v6] = await Promise.all([lab.torRib(4), lab.torRib(6)])
      const rows = watched.map((w) => (w.family === 4 ? v4 : v6).find((p) =>
        topology.canonicalCidr(p.prefix) === w.block && topology.canonicalCidr(p.neighbor) === topology.canonicalCidr(w.from)))
      return rows.every((r) => r?.stale === true) ? rows : undefined
    }, 60_000, 100)
    t.equal(staleNow.length, watched.length, `every watched block is kept, stale, while node-1 is down: ${watched.map((w) => w.block).join(', ')}`)
    await lab.startAgent(n1)
    t.not(lab.agentPid(n1), oldAgent, 'a new agent runs')
    await waitEstablished(lab, { timeoutMs: 120_000 })
    t.pass('every session is Established again')
    await waitTorRoutes(lab)
  } finally {
    sampling = false
    await sampler
  }
  t.ok(samples >= 5, `${samples} samples of the ToR's RIB during the restart`)
  // On failure, say why the ToR dropped the paths (gobgpd logs each session's end).
  const peerDown = (await readFile(lab.torLog, 'utf8')).split('\n')
    .filter((l) => l.includes('Peer Down') && (l.includes(n1.plan.ipv4) || l.includes(n1.plan.ipv6)))
  t.same(gaps.slice(0, 4), [], "node-1's blocks never left the ToR's RIB (graceful restart)", {
    missingSamples: gaps.length,
    torPeerDown: peerDown,
  })
  t.ok(staleSeen, 'the sampler saw the stale paths too')
  const fresh = await lab.torRib(4)
  for (const w of watched.filter((x) => x.family === 4)) {
    const path = fresh.find((p) => topology.canonicalCidr(p.prefix) === w.block && topology.canonicalCidr(p.neighbor) === topology.canonicalCidr(w.from))
    t.equal(path?.stale, false, `${w.block} is fresh again after the restart`)
  }
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
