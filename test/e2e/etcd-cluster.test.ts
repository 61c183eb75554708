// Fault scenario: etcd as a three-member cluster, its leader killed (SIGKILL) while changes
// are being written. The agents are given all three endpoints. One BGPPeer after another
// is created (a write that fails during the election is retried, as an operator's tool
// would); the leader dies part way through. Then:
//  - every change lands: each node's bird.cfg ends up with every peer;
//  - nothing is rendered from a partial view: bird.cfg, read every few tens of ms all along,
//    only ever holds a prefix of the peers in the order they were written (peer k never
//    without peer k-1), and never loses one it had;
//  - the agents follow without a resync storm: no full re-list of the datastore (the
//    syncer's "resyncing" status) on any node, only watches resumed where they stopped
//    (leadership is first moved to the member serving the agents' watches, so the kill
//    does interrupt at least one);
//  - BGP is untouched: the mesh sessions keep their "since", the same BIRD processes run.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { sameBirdSince, startLab, type LabNode } from '../helpers/lab.js'

const PEERS = 16
/** The leader is killed right after this many peers were written. */
const KILL_AFTER = 6
const WRITE_GAP_MS = 150
const SAMPLE_MS = 30
/** Peer k (1-based) is 10.99.0.(100+k), AS 65100+k: on the lab's LAN, nobody answers there. */
const peerIp = (k: number) => `10.99.0.${100 + k}`

const lab = await startLab(t, { name: 'fq', nodes: 2, tor: false, etcd: 'cluster' })

/** Which of the test's peers a bird.cfg text holds, as 1-based indexes, sorted. */
function peersIn(config: string): number[] {
  const found = new Set<number>()
  for (const m of config.matchAll(/neighbor 10\.99\.0\.(\d+) as/g)) {
    const k = Number(m[1]) - 100
    if (k >= 1 && k <= PEERS) found.add(k)
  }
  return [...found].sort((a, b) => a - b)
}

function logSince(node: LabNode, offset: number): Promise<string> {
  return readFile(node.log).then((b) => b.subarray(offset).toString('utf8'))
}

async function put(k: number): Promise<number> {
  const peer = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'BGPPeer',
    metadata: { name: `fq-peer-${k}`, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), uid: `fa0e0000-0000-4000-8000-${String(k).padStart(12, '0')}` },
    spec: { peerIP: peerIp(k), asNumber: 65100 + k },
  }
  // Retried until etcd takes it: during the election a write may fail (or time out).
  for (let attempt = 1; ; attempt++) {
    try {
      await lab.etcdctl(['put', '--command-timeout=3s', `/calico/resources/v3/projectcalico.org/bgppeers/fq-peer-${k}`, JSON.stringify(peer)])
      return attempt
    } catch (err) {
      if (attempt >= 30) throw err
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

t.test('the etcd leader killed while changes are written: every change lands, no partial view, no resync storm', async (t) => {
  const offsets = new Map<string, number>()
  const sessionsBefore = new Map<string, Map<string, { since: string; state: string }>>()
  const birdsBefore = new Map<string, (number | undefined)[]>()
  for (const n of lab.nodes) {
    offsets.set(n.name, (await readFile(n.log)).length)
    sessionsBefore.set(n.name, await lab.birdSessions(n))
    birdsBefore.set(n.name, [await lab.birdPid(n, 4), await lab.birdPid(n, 6)])
  }

  // Read every node's bird.cfg all along.
  const violations: string[] = []
  const seen = new Map<string, number>(lab.nodes.map((n) => [n.name, 0]))
  /** When each peer was written, and when each node's bird.cfg first held it. */
  const writtenAt: number[] = []
  const firstSeen = new Map<string, number[]>(lab.nodes.map((n) => [n.name, []]))
  let reads = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      for (const n of lab.nodes) {
        const have = peersIn(await readFile(n.birdConfig, 'utf8'))
        reads++
        const k = have.length
        if (!have.every((p, i) => p === i + 1)) violations.push(`${n.name}: peers ${have.join(',')} are not the first ${k} written`)
        if (k < (seen.get(n.name) ?? 0)) violations.push(`${n.name}: went back from ${seen.get(n.name)} peers to ${k}`)
        seen.set(n.name, Math.max(k, seen.get(n.name) ?? 0))
        const first = firstSeen.get(n.name) ?? []
        for (const p of have) first[p] ??= Date.now()
      }
      await new Promise((r) => setTimeout(r, SAMPLE_MS))
    }
  })()

  let killedAt = 0
  let killed = -1
  let retries = 0
  let lastWrittenAt = 0
  try {
    for (let k = 1; k <= PEERS; k++) {
      retries += (await put(k)) - 1
      lastWrittenAt = Date.now()
      writtenAt[k] = lastWrittenAt
      if (k === KILL_AFTER) {
        // The leader is made the member serving the agents' watches, so that its death
        // cuts at least one of them (a watch on a surviving member would not notice).
        const watchers = await Promise.all([0, 1, 2].map((i) => lab.etcdWatchers(i)))
        const busiest = watchers.indexOf(Math.max(...watchers))
        await lab.moveEtcdLeader(busiest)
        killed = await lab.etcdLeader()
        t.equal(killed, busiest, `the leader is member ${busiest + 1}, which serves ${watchers[busiest]} of the watches (${watchers.join('/')})`)
        const pid = lab.killEtcdMember(killed)
        killedAt = Date.now()
        t.comment(`killed the etcd leader, member ${killed + 1} (pid ${pid}), after ${k} writes`)
      }
      await new Promise((r) => setTimeout(r, WRITE_GAP_MS))
    }
    const landed = new Map<string, number>()
    for (const n of lab.nodes) {
      await lab.waitFor(`${n.name}'s bird.cfg to hold all ${PEERS} peers`, async () => peersIn(await readFile(n.birdConfig, 'utf8')).length === PEERS, 60_000, 100)
      landed.set(n.name, Date.now())
    }
    const newLeader = await lab.etcdLeader()
    t.not(newLeader, killed, `a new leader: member ${newLeader + 1}`)

    sampling = false
    await sampler
    t.ok(reads > 50, `${reads} reads of bird.cfg during the run`)
    t.same(violations, [], 'every bird.cfg read held the first k peers written, never fewer than before')

    let totalInterruptions = 0
    for (const n of lab.nodes) {
      t.same(peersIn(await readFile(n.birdConfig, 'utf8')), Array.from({ length: PEERS }, (_, i) => i + 1), `${n.name}: every peer in bird.cfg`)
      const log = await logSince(n, offsets.get(n.name) ?? 0)
      const resyncs = (log.match(/"status":"resyncing"/g) ?? []).length
      const interruptions = (log.match(/etcd sync interrupted; retrying/g) ?? []).length
      totalInterruptions += interruptions
      t.equal(resyncs, 0, `${n.name}: no full resync of the datastore`)
      const sessions = await lab.birdSessions(n)
      for (const [name, s] of sessionsBefore.get(n.name) ?? []) {
        t.ok(sameBirdSince(sessions.get(name)?.since, s.since), `${n.name}: ${name} untouched (${s.since} → ${sessions.get(name)?.since})`)
      }
      t.same([await lab.birdPid(n, 4), await lab.birdPid(n, 6)], birdsBefore.get(n.name), `${n.name}: same BIRD processes`)
      const lags = writtenAt.map((w, k) => ((firstSeen.get(n.name) ?? [])[k] ?? Number.NaN) - w).filter((l) => !Number.isNaN(l))
      t.comment(`${n.name}: watch interruptions ${interruptions}, full resyncs ${resyncs}; write → bird.cfg max ${Math.max(...lags)} ms; ` +
        `all ${PEERS} changes in bird.cfg ${(((landed.get(n.name) ?? 0) - lastWrittenAt) / 1000).toFixed(1)} s after the last write, ` +
        `${(((landed.get(n.name) ?? 0) - killedAt) / 1000).toFixed(1)} s after the leader died`)
    }
    t.ok(totalInterruptions >= 1, `the leader's death interrupted ${totalInterruptions} agent watch(es)`)
    t.comment(`writes retried during the election: ${retries}`)
  } finally {
    sampling = false
    await sampler
  }
})
