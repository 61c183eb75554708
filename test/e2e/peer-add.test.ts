// Scenario 5: `node bgp peer add` of a new peer shows up in BIRD within seconds, by a
// reconfiguration (same BIRD process), and no other session restarts: every other
// protocol keeps its `since` and stays Established.
import t from 'tap'
import { pause, peersOf, startLab, type LabNode, type NodeStatus } from '../helpers/lab.js'

// Nobody answers on these addresses: the sessions stay in Active/Connect, which is
// enough to see BIRD run them. 65003 is an AS no one else uses.
const NEW_PEER = { v4: '10.99.0.3', v6: 'fd99::3', as: '65003' }

const lab = await startLab(t, { name: 'e5', nodes: 2 })
const [n1] = lab.nodes as [LabNode]

/** protocol → since (ms since the epoch), for every session of every node. */
function sinces(statuses: Map<string, NodeStatus>): Map<string, number> {
  const out = new Map<string, number>()
  for (const [node, s] of statuses) {
    for (const family of [4, 6] as const) for (const p of peersOf(s, family)) out.set(`${node}/${p.protocol}`, birdTime(p.since))
  }
  return out
}

/** BIRD's `timeformat protocol iso long`: local time, whole seconds. */
function birdTime(text: string): number {
  const ms = new Date(text.replace(' ', 'T')).getTime()
  if (Number.isNaN(ms)) throw new Error(`unexpected BIRD time "${text}"`)
  return ms
}

/**
 * BIRD 1.6 keeps times in whole seconds of a monotonic clock and prints them against the
 * wall clock it last sampled, so the same instant can print one second apart between two
 * queries. A restarted session instead jumps to the time of the reload, which the test
 * keeps well clear of every session's start (see SETTLED_MS).
 */
const JITTER_MS = 1_000
const SETTLED_MS = 5_000

async function statusAll(): Promise<Map<string, NodeStatus>> {
  return new Map(await Promise.all(lab.nodes.map(async (n) => [n.name, await lab.nodeStatus(n)] as const)))
}

t.test('a new node-specific peer appears without restarting any other session', async (t) => {
  // Every session has been up for a while, so a restart would stand out from jitter.
  const before = await lab.waitFor('every session to be up for a few seconds', async () => {
    const statuses = await statusAll()
    const newest = Math.max(...sinces(statuses).values())
    return Date.now() - newest > SETTLED_MS + JITTER_MS ? statuses : undefined
  }, 60_000, 1_000)
  const beforeSince = sinces(before)
  const birdPids = await Promise.all([lab.birdPid(n1, 4), lab.birdPid(n1, 6)])
  t.ok(birdPids.every((p) => p !== undefined), 'node-1 runs bird and bird6')

  await lab.falconerOk(n1, ['node', 'bgp', 'peer', 'add', NEW_PEER.v6, 'as', NEW_PEER.as])
  const added = Date.now()
  await lab.falconerOk(n1, ['node', 'bgp', 'peer', 'add', NEW_PEER.v4, 'as', NEW_PEER.as])
  const commandMs = Date.now() - added
  // "Within seconds" of the command, with room for a busy CI machine.
  const status = await lab.waitFor('the new peers in node-1\'s BIRD', async () => {
    const s = await lab.nodeStatus(n1)
    const v4 = peersOf(s, 4).some((p) => p.peerAddress === NEW_PEER.v4)
    const v6 = peersOf(s, 6).some((p) => p.peerAddress === NEW_PEER.v6)
    return v4 && v6 ? s : undefined
  }, 30_000, 250)
  t.comment(`\`node bgp peer add\` took ${commandMs} ms; node status showed the peer ${Date.now() - added} ms after it started`)
  for (const [family, address] of [[4, NEW_PEER.v4], [6, NEW_PEER.v6]] as const) {
    const p = peersOf(status, family).find((x) => x.peerAddress === address)
    t.equal(p?.type, 'NodePeer', `IPv${family} ${address} is a node-specific peer`)
    t.equal(p?.protocol, `Node_${address.replace(/[.:]/g, '_')}`, `IPv${family} protocol name`)
    t.not(p?.bgpState, 'Established', `IPv${family} ${address}: nobody answers there`)
  }
  const detail = await lab.birdc(n1, 4, ['show', 'protocols', 'all', `Node_${NEW_PEER.v4.replace(/\./g, '_')}`])
  t.match(detail, /Neighbor AS:\s+65003/, "BIRD's new protocol peers with AS 65003")

  t.same(await Promise.all([lab.birdPid(n1, 4), lab.birdPid(n1, 6)]), birdPids, 'BIRD was reconfigured, not restarted')
  // Sampled right away and once more a little later: a restart caused by the reload
  // would show as a new `since` (or a session not Established).
  for (const round of [1, 2]) {
    if (round === 2) await pause(5_000)
    const after = sinces(await statusAll())
    for (const [key, since] of beforeSince) {
      const now = after.get(key)
      t.ok(now !== undefined && Math.abs(now - since) <= JITTER_MS, `round ${round}: ${key} kept its since (${new Date(since).toISOString()})`)
    }
    const statuses = await statusAll()
    for (const [node, s] of statuses) {
      for (const family of [4, 6] as const) {
        for (const p of peersOf(s, family).filter((x) => beforeSince.has(`${node}/${x.protocol}`))) {
          t.equal(p.bgpState, 'Established', `round ${round}: ${node} ${p.protocol} still Established`)
        }
      }
    }
  }
})
