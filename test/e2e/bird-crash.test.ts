// Scenario 7: `kill -9` of a node's bird and bird6. The agent restarts both; the
// sessions come back Established and the routes return: node-2 routes to node-1's blocks
// again (learned from the new BIRD), node-1 to node-2's, and the ToR learns node-1's
// blocks from node-1.
import t from 'tap'
import { startLab, topology, waitEstablished, waitMeshRoutes, waitTorRoutes, type LabNode } from '../helpers/lab.js'

const lab = await startLab(t, { name: 'e7', nodes: 2 })
const [n1, n2] = lab.nodes as [LabNode, LabNode]
const blocks = await waitMeshRoutes(lab)
await waitTorRoutes(lab)

t.test('bird and bird6 killed with SIGKILL are restarted by the agent', async (t) => {
  const old = await Promise.all([lab.birdPid(n1, 4), lab.birdPid(n1, 6)])
  t.ok(old.every((p) => p !== undefined), 'node-1 runs bird and bird6')
  const agent = lab.agentPid(n1)
  // BIRD's clock, read just before the kill: every session of the new BIRD starts after it.
  const killedAt = await birdNow(n1)
  for (const pid of old) if (pid !== undefined) process.kill(pid, 'SIGKILL')

  const fresh = await lab.waitFor('new bird and bird6 processes on node-1', async () => {
    const now = await Promise.all([lab.birdPid(n1, 4), lab.birdPid(n1, 6)])
    return now.every((p, i) => p !== undefined && p !== old[i]) ? now : undefined
  }, 60_000)
  t.not(fresh[0], old[0], `bird restarted (pid ${old[0]} → ${fresh[0]})`)
  t.not(fresh[1], old[1], `bird6 restarted (pid ${old[1]} → ${fresh[1]})`)
  t.equal(lab.agentPid(n1), agent, 'the same agent did it')

  const statuses = await waitEstablished(lab, { timeoutMs: 120_000 })
  t.pass('every session of every node is Established again')
  const s1 = statuses.get(n1.name)
  t.ok(s1?.running, 'node status: BIRD runs on node-1')
  // The new BIRD's sessions are fresh ones: each BGP protocol's `since` is after the kill.
  for (const family of [4, 6] as const) {
    const protocols = parseProtocols(await lab.birdc(n1, family, ['show', 'protocols']))
    const bgp = protocols.filter((p) => p.proto === 'BGP')
    t.ok(bgp.length > 0, `node-1 BIRD${family === 6 ? '6' : ''} has BGP protocols`)
    for (const p of bgp) {
      t.ok(p.since.getTime() >= killedAt.getTime() - BIRD_TIME_JITTER_MS,
        `${p.name} (IPv${family}) up since ${p.since.toISOString()}, after the kill at ${killedAt.toISOString()}`)
    }
  }

  // Routes learned by the new BIRD: in its own table (not only the kernel's, which keeps
  // routes across a BIRD crash), and in the kernel.
  for (const [family, key] of [[4, 'v4'], [6, 'v6']] as const) {
    for (const block of blocks.get(n2.name)?.[key] ?? []) {
      const shown = await lab.waitFor(`node-1's new BIRD to learn ${block}`, async () => {
        const out = await lab.birdc(n1, family, ['show', 'route', 'for', block.split('/')[0] as string])
        return out.includes(block) ? out : undefined
      }, 60_000)
      t.match(shown, family === 4 ? n2.plan.ipv4 : n2.plan.ipv6, `node-1 BIRD${family === 6 ? '6' : ''}: ${block} via node-2`)
    }
  }
  await waitMeshRoutes(lab)
  t.pass("kernel routes to every other node's blocks on every node")
  await waitTorRoutes(lab)
  t.pass("the ToR has node-1's blocks from node-1 again")
  const rib = await lab.torRib(4)
  for (const block of blocks.get(n1.name)?.v4 ?? []) {
    const path = rib.find((p) => topology.canonicalCidr(p.prefix) === block && p.neighbor === n1.plan.ipv4)
    t.equal(path?.stale, false, `ToR: ${block} from node-1 is fresh (not a stale graceful-restart path)`)
  }
})

/** BIRD prints times in whole seconds from two clocks: the same instant reads up to 1 s apart. */
const BIRD_TIME_JITTER_MS = 1_000

/** BIRD's current time on a node (`show status`, "Current server time is …"). */
async function birdNow(node: LabNode): Promise<Date> {
  const out = await lab.birdc(node, 4, ['show', 'status'])
  const m = /Current server time is (\S+ \S+)/.exec(out)
  if (!m) throw new Error(`no server time in: ${out}`)
  return birdTime(m[1]!)
}

function birdTime(text: string): Date {
  // iso long: "2026-12-03 21:30:05", local time, as BIRD (on this host) prints it and Date parses it
  const d = new Date(text.replace(' ', 'T'))
  if (Number.isNaN(d.getTime())) throw new Error(`not a BIRD iso long time: ${text}`)
  return d
}

/** `show protocols` rows: name, proto, table, state, since (date and time), info. */
function parseProtocols(out: string): { name: string; proto: string; since: Date }[] {
  const rows: { name: string; proto: string; since: Date }[] = []
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/.exec(line)
    if (m) rows.push({ name: m[1]!, proto: m[2]!, since: birdTime(m[3]!) })
  }
  return rows
}
