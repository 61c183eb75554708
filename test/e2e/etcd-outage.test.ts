// Scenario 6: etcd goes away for 30 s. BIRD keeps running on the last good config:
// sessions stay up, kernel routes stay, nothing is rewritten or reloaded (bird.cfg mtime
// and BIRD's "Last reconfiguration" unchanged). A change made while the agents cannot
// reach etcd (written through a listener only the infrastructure namespace can reach) is
// applied once etcd is back.
import { stat } from 'node:fs/promises'
import t, { type Test } from 'tap'
import { pause, peersOf, sameBirdSince, startLab, waitMeshRoutes, waitTorRoutes, type LabNode } from '../helpers/lab.js'

const OUTAGE_MS = 30_000
const EXTRA_PEER = { name: 'during-outage', v4: '10.99.0.4', as: 65004 }

const lab = await startLab(t, { name: 'e6', nodes: 2 })
await waitMeshRoutes(lab)
await waitTorRoutes(lab)

interface Snapshot {
  readonly mtimes: readonly number[]
  readonly lastReconfig: readonly string[]
  readonly sessions: ReadonlyMap<string, { since: string; state: string }>
  readonly routes: readonly string[]
  readonly birdPids: readonly (number | undefined)[]
  readonly agentPid: number | undefined
}

async function snapshot(node: LabNode): Promise<Snapshot> {
  const mtimes = await Promise.all([node.birdConfig, node.bird6Config].map(async (f) => (await stat(f)).mtimeMs))
  const lastReconfig = await Promise.all(([4, 6] as const).map(async (family) => {
    const out = await lab.birdc(node, family, ['show', 'status'])
    return /Last reconfiguration on (.+)/.exec(out)?.[1]?.trim() ?? `unparsed: ${out}`
  }))
  // Sessions straight from BIRD (the CLI is what is under test elsewhere; here, speed).
  const sessions = new Map<string, { since: string; state: string }>()
  for (const family of [4, 6] as const) {
    const out = await lab.birdc(node, family, ['show', 'protocols'])
    for (const line of out.split('\n')) {
      const m = /^(\S+)\s+BGP\s+\S+\s+(\S+)\s+(\S+ \S+)\s+(.*)$/.exec(line)
      if (m) sessions.set(`v${family}/${m[1]}`, { since: m[3] ?? '', state: `${m[2]} ${(m[4] ?? '').trim()}` })
    }
  }
  const routes = [
    ...(await lab.birdRoutes(node, 4)),
    ...(await lab.birdRoutes(node, 6)),
  ].sort()
  const birdPids = await Promise.all([lab.birdPid(node, 4), lab.birdPid(node, 6)])
  return { mtimes, lastReconfig, sessions, routes, birdPids, agentPid: lab.agentPid(node) }
}

/** Same instant, as BIRD 1.6 prints it (whole seconds, may be one apart between queries). */
function compare(t: Test, label: string, before: Snapshot, now: Snapshot): void {
  t.same(now.mtimes, before.mtimes, `${label}: bird.cfg and bird6.cfg not rewritten`)
  t.ok(now.lastReconfig.every((r, i) => sameBirdSince(r, before.lastReconfig[i] ?? '')), `${label}: no reconfiguration (${now.lastReconfig.join(', ')})`)
  t.same(now.routes, before.routes, `${label}: kernel routes (proto bird) unchanged`)
  t.same(now.birdPids, before.birdPids, `${label}: same bird and bird6 processes`)
  t.equal(now.agentPid, before.agentPid, `${label}: the agent still runs`)
  t.ok(now.agentPid !== undefined, `${label}: the agent is alive`)
  for (const [name, s] of before.sessions) {
    const n = now.sessions.get(name)
    t.ok(n !== undefined && sameBirdSince(n.since, s.since) && n.state === s.state, `${label}: ${name} unchanged (${s.state} since ${s.since})`)
  }
}

t.test('an etcd outage changes nothing in BIRD; a change made meanwhile is applied after', async (t) => {
  const before = new Map(await Promise.all(lab.nodes.map(async (n) => [n.name, await snapshot(n)] as const)))
  for (const [name, s] of before) t.ok([...s.sessions.values()].every((x) => x.state === 'up Established'), `${name}: every session Established before the outage`)

  await lab.stopEtcd()
  const started = Date.now()
  const cli = await lab.falconer(lab.nodes[0] as LabNode, ['get', 'bgppeers', '--datastore-timeout=3'])
  t.not(cli.code, 0, 'the nodes cannot reach etcd')

  // The change, written while the agents see no etcd.
  await lab.startEtcd({ hidden: true })
  const peer = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'BGPPeer',
    metadata: { name: EXTRA_PEER.name, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), uid: 'e2e00000-0000-4000-8000-000000000006' },
    spec: { peerIP: EXTRA_PEER.v4, asNumber: EXTRA_PEER.as },
  }
  await lab.etcdctl(['put', `/calico/resources/v3/projectcalico.org/bgppeers/${EXTRA_PEER.name}`, JSON.stringify(peer)])
  await lab.stopEtcd()

  // Sample until the outage ends. A round of snapshots can take over 10 s on a loaded machine,
  // so the pause between rounds is short: what counts is an early and a late look.
  const sampledAt: number[] = []
  while (Date.now() - started < OUTAGE_MS) {
    await pause(Math.min(2_500, Math.max(0, OUTAGE_MS - (Date.now() - started))))
    sampledAt.push(Math.round((Date.now() - started) / 1000))
    for (const node of lab.nodes) compare(t, `${node.name} at ${sampledAt.at(-1)} s`, before.get(node.name) as Snapshot, await snapshot(node))
  }
  t.ok(sampledAt.length >= 2, `sampled at ${sampledAt.join(', ')} s of the ${OUTAGE_MS / 1000} s outage`)

  await lab.startEtcd()
  for (const node of lab.nodes) {
    const status = await lab.waitFor(`${node.name} to apply the peer added during the outage`, async () => {
      const s = await lab.nodeStatus(node)
      return peersOf(s, 4).some((p) => p.peerAddress === EXTRA_PEER.v4) ? s : undefined
    }, 120_000, 1_000)
    const p = peersOf(status, 4).find((x) => x.peerAddress === EXTRA_PEER.v4)
    t.equal(p?.type, 'GlobalPeer', `${node.name}: ${EXTRA_PEER.v4} is a global peer`)
    const after = await snapshot(node)
    const was = before.get(node.name) as Snapshot
    t.not(after.mtimes[0], was.mtimes[0], `${node.name}: bird.cfg rewritten after the resync`)
    t.same(after.birdPids, was.birdPids, `${node.name}: BIRD reconfigured, not restarted`)
    for (const [name, s] of was.sessions) {
      const n = after.sessions.get(name)
      t.ok(n !== undefined && sameBirdSince(n.since, s.since) && n.state === 'up Established', `${node.name}: ${name} untouched by the resync`)
    }
  }
})
