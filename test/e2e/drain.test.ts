// A clean drain for maintenance, shown at the top-of-rack router (gobgpd, AS 65000, eBGP).
// Every node advertises the service range (BGPConfiguration serviceClusterIPs), so the ToR
// holds one path per node. `falconer node drain` on node-1 must make node-1's path the
// least preferred (GRACEFUL_SHUTDOWN community, node AS prepended) while withdrawing
// nothing: the ToR's best path moves to another node and node-1's own blocks stay routed.
// `node undrain` brings everything back; neither resets a BGP session. The drain survives
// an agent restart. `node stop --drain` drains before it stops, then stops cleanly (no
// stale paths). node-3 runs BIRD 2, drained the same way. The ToR's RIB is printed
// before and after, as an operator would look at it.
import { readFile } from 'node:fs/promises'
import t, { type Test } from 'tap'
import { requireBird2 } from '../helpers/bird2.js'
import { sameBirdSince, startLab, topology, waitEstablished, waitTorRoutes, type LabNode } from '../helpers/lab.js'

const SERVICE_V4 = '10.99.200.0/24'
const SERVICE_V6 = 'fd99:200::/112'
/** GRACEFUL_SHUTDOWN (65535:0, RFC 8326) as gobgp prints a community: one 32-bit number. */
const GRACEFUL_SHUTDOWN = 65535 * 65536

const bird2Bin = requireBird2()
const lab = await startLab(t, { name: 'dr', nodes: 3, bird2Nodes: [3], bird2Bin })
const [n1, n2, n3] = lab.nodes as [LabNode, LabNode, LabNode]

interface ToRPath {
  readonly prefix: string
  readonly neighbor: string
  readonly best: boolean
  readonly asPath: readonly number[]
  readonly communities: readonly number[]
}

/** `gobgp global rib -a <family> -j` with each path's AS path and communities. */
async function torPaths(family: 4 | 6): Promise<ToRPath[]> {
  const json = await lab.gobgp(['global', 'rib', '-a', family === 4 ? 'ipv4' : 'ipv6', '-j'])
  if (json.trim() === '' || json.trim() === 'null') return []
  const byPrefix = JSON.parse(json) as Record<string, GobgpPath[] | null>
  return Object.entries(byPrefix).flatMap(([prefix, paths]) =>
    (paths ?? []).map((p) => {
      const attrs = p.attrs ?? []
      return {
        prefix: topology.canonicalCidr(prefix),
        neighbor: topology.canonicalCidr(p['neighbor-ip'] ?? ''),
        best: p.best === true,
        asPath: attrs.filter((a) => a.type === 2).flatMap((a) => (a.as_paths ?? []).flatMap((s) => s.asns ?? [])),
        communities: attrs.filter((a) => a.type === 8).flatMap((a) => a.communities ?? []),
      }
    }))
}

interface GobgpPath {
  readonly 'neighbor-ip'?: string
  readonly best?: boolean
  readonly attrs?: readonly { type: number; as_paths?: readonly { asns?: number[] }[]; communities?: number[] }[]
}

const address = (node: LabNode, family: 4 | 6) => topology.canonicalCidr(family === 4 ? node.plan.ipv4 : node.plan.ipv6)
const service = (family: 4 | 6) => topology.canonicalCidr(family === 4 ? SERVICE_V4 : SERVICE_V6)
const pathOf = (paths: readonly ToRPath[], prefix: string, node: LabNode, family: 4 | 6) =>
  paths.find((p) => p.prefix === prefix && p.neighbor === address(node, family))
const drainedPath = (p: ToRPath | undefined) =>
  p !== undefined && p.communities.includes(GRACEFUL_SHUTDOWN) && p.asPath.length === 4 && p.asPath.every((as) => as === topology.NODE_AS)
const plainPath = (p: ToRPath | undefined) =>
  p !== undefined && !p.communities.includes(GRACEFUL_SHUTDOWN) && p.asPath.length === 1 && p.asPath[0] === topology.NODE_AS

/** Waits until the ToR's paths for the service range, from every node, satisfy `ok`. */
async function waitServicePaths(what: string, ok: (family: 4 | 6, paths: readonly ToRPath[]) => boolean): Promise<void> {
  await lab.waitFor(what, async () => {
    for (const family of [4, 6] as const) if (!ok(family, await torPaths(family))) return false
    return true
  }, 90_000)
}

async function printRib(t: Test, when: string): Promise<void> {
  // What an operator at the ToR types; the issue asks for it shown.
  for (const family of ['ipv4', 'ipv6']) t.comment(`ToR \`gobgp global rib -a ${family}\` ${when}:\n${await lab.gobgp(['global', 'rib', '-a', family])}`)
}

/** Every BGP session of the node with BIRD's "since" and state; compared to tell a reset. */
async function sessionsOf(node: LabNode): Promise<Map<string, { since: string; state: string }>> {
  const out = new Map<string, { since: string; state: string }>()
  for (const [name, s] of await lab.birdSessions(node)) out.set(name, { since: s.since, state: s.state })
  return out
}

function assertNoReset(t: Test, before: Map<string, { since: string; state: string }>, after: Map<string, { since: string; state: string }>, what: string): void {
  t.ok(before.size >= 6, `${what}: ${before.size} sessions watched`)
  const reset = [...before].filter(([name, s]) => after.get(name)?.state !== s.state || !sameBirdSince(after.get(name)?.since, s.since))
  t.same(reset.map(([name, s]) => `${name}: ${s.state} since ${s.since} → ${after.get(name)?.state ?? 'gone'} since ${after.get(name)?.since ?? '-'}`), [], `${what}: no BGP session restarted (BIRD's "since" unchanged)`)
  t.same([...after.keys()].sort(), [...before.keys()].sort(), `${what}: the same sessions`)
}

await lab.apply('services.yaml', `apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata:
  name: default
spec:
  serviceClusterIPs:
  - cidr: ${SERVICE_V4}
  - cidr: ${SERVICE_V6}
`)
await waitTorRoutes(lab)
await waitServicePaths('every node to advertise the service range to the ToR', (family, paths) =>
  lab.nodes.every((n) => plainPath(pathOf(paths, service(family), n, family))))

t.test('drain moves the ToR off node-1 without losing a route; undrain brings it back', async (t) => {
  await printRib(t, 'before the drain')
  const blocks1 = { 4: await lab.blocksOf(n1, 4), 6: await lab.blocksOf(n1, 6) }
  for (const family of [4, 6] as const) {
    const paths = (await torPaths(family)).filter((p) => p.prefix === service(family))
    t.equal(paths.length, 3, `IPv${family}: the ToR has a path for ${service(family)} via each node`)
    t.ok(paths.every(plainPath), `IPv${family}: every path is AS ${topology.NODE_AS} alone, without GRACEFUL_SHUTDOWN: node-1's is among the best`)
  }
  const sessions = await sessionsOf(n1)

  const drain = await lab.falconer(n1, ['node', 'drain', '--wait=0'])
  t.equal(drain.code, 0, `node drain succeeds: ${drain.stderr}`)
  t.match(drain.stdout, /applied the drained config/)
  t.match(drain.stdout, /stays drained.*until: falconer node undrain/)
  t.match(await readFile(n1.birdConfig, 'utf8'), /bgp_community\.add\(\(65535, 0\)\)/, 'the config in place is drained')

  const status = await lab.falconer(n1, ['node', 'status'])
  t.match(status.stdout.split('\n')[0], /^Node is DRAINED for maintenance since \S+/, 'node status says so, above the tables')

  await waitServicePaths("the ToR to see node-1's paths drained and choose another node", (family, paths) => {
    const mine = pathOf(paths, service(family), n1, family)
    const best = paths.find((p) => p.prefix === service(family) && p.best)
    return drainedPath(mine) && best !== undefined && best.neighbor !== address(n1, family)
  })
  await printRib(t, 'after `falconer node drain` on node-1')
  for (const family of [4, 6] as const) {
    const paths = await torPaths(family)
    const mine = pathOf(paths, service(family), n1, family)
    t.ok(mine?.communities.includes(GRACEFUL_SHUTDOWN), `IPv${family}: node-1's path carries GRACEFUL_SHUTDOWN`)
    t.same(mine?.asPath, [64512, 64512, 64512, 64512], `IPv${family}: node-1's path has its AS prepended`)
    const best = paths.find((p) => p.prefix === service(family) && p.best)
    t.ok(best && [address(n2, family), address(n3, family)].includes(best.neighbor), `IPv${family}: the best path is via ${best?.neighbor}, another node`)
    for (const block of blocks1[family]) {
      t.ok(pathOf(paths, block, n1, family), `IPv${family}: node-1 still advertises its block ${block} (no route lost)`)
    }
  }
  assertNoReset(t, sessions, await sessionsOf(n1), 'drain')

  // A restart keeps the node drained; the drained agent stops BIRD cleanly.
  await lab.stopAgent(n1)
  await lab.startAgent(n1)
  await waitEstablished(lab)
  await waitServicePaths("node-1's paths drained again after its agent restarted", (family, paths) =>
    drainedPath(pathOf(paths, service(family), n1, family)))
  t.pass('still drained after an agent restart')

  const restarted = await sessionsOf(n1)
  const undrain = await lab.falconer(n1, ['node', 'undrain'])
  t.equal(undrain.code, 0, `node undrain succeeds: ${undrain.stderr}`)
  t.match(undrain.stdout, /Node undrained/)
  await waitServicePaths('the ToR to see every path plain again', (family, paths) =>
    lab.nodes.every((n) => plainPath(pathOf(paths, service(family), n, family))))
  await printRib(t, 'after `falconer node undrain` on node-1')
  assertNoReset(t, restarted, await sessionsOf(n1), 'undrain')
  t.notMatch((await lab.falconer(n1, ['node', 'status'])).stdout, /DRAINED/, 'node status no longer says drained')
})

t.test('BIRD 2 (node-3) drains the same way', async (t) => {
  t.equal(n3.birdGeneration, 2)
  const sessions = await sessionsOf(n3)
  const drain = await lab.falconer(n3, ['node', 'drain', '--wait=0'])
  t.equal(drain.code, 0, `node drain succeeds: ${drain.stderr}`)
  await waitServicePaths("the ToR to see node-3's paths drained", (family, paths) => drainedPath(pathOf(paths, service(family), n3, family)))
  assertNoReset(t, sessions, await sessionsOf(n3), 'BIRD 2 drain')
  const undrain = await lab.falconer(n3, ['node', 'undrain'])
  t.equal(undrain.code, 0, `node undrain succeeds: ${undrain.stderr}`)
  await waitServicePaths("the ToR to see node-3's paths plain again", (family, paths) => plainPath(pathOf(paths, service(family), n3, family)))
  assertNoReset(t, sessions, await sessionsOf(n3), 'BIRD 2 undrain')
})

t.test('node stop --drain drains, waits, then stops without leaving stale paths', async (t) => {
  // Sample the ToR while the command runs: node-1's path must turn drained before it goes.
  let drainedSeen = false
  let goneBeforeDrained = false
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const paths = await torPaths(4)
      const mine = pathOf(paths, service(4), n1, 4)
      if (drainedPath(mine)) drainedSeen = true
      if (mine === undefined && !drainedSeen) goneBeforeDrained = true
      await new Promise((r) => setTimeout(r, 200))
    }
  })()
  let stop
  try {
    stop = await lab.falconer(n1, ['node', 'stop', '--drain', '--wait=3'], { timeoutMs: 120_000 })
  } finally {
    sampling = false
    await sampler
  }
  t.equal(stop.code, 0, `node stop --drain succeeds: ${stop.stderr}`)
  const lines = stop.stdout.split('\n')
  const applied = lines.findIndex((l) => l.includes('applied the drained config'))
  const stopped = lines.findIndex((l) => l === 'Node stopped')
  t.ok(applied >= 0 && stopped > applied, `drained before it stopped:\n${stop.stdout}`)
  t.ok(drainedSeen, "the ToR saw node-1's path drained before the stop")
  t.notOk(goneBeforeDrained, "node-1's path did not go away before it was drained")
  t.equal(lab.agentPid(n1), undefined, 'the agent is gone')
  // Graceful restart off: the ToR withdrew node-1's paths at once instead of keeping them stale.
  await lab.waitFor("the ToR to drop node-1's paths", async () => (await torPaths(4)).every((p) => p.neighbor !== address(n1, 4)), 60_000)
  const paths = await torPaths(4)
  t.ok(pathOf(paths, service(4), n2, 4), 'the service range is still routed via node-2')
  await printRib(t, 'after `falconer node stop --drain` on node-1')

  // A drain for a stop lasts until the agent starts again.
  await lab.startAgent(n1)
  await waitServicePaths('node-1 to advertise plainly again after its restart', (family, p) => plainPath(pathOf(p, service(family), n1, family)))
  t.pass('node-1 starts undrained after `node stop --drain`')
})

t.test('drain without a running agent is refused, naming why', async (t) => {
  // The infrastructure namespace's prefix: no agent runs there.
  const r = await lab.falconer('infra', ['node', 'drain', '--wait=0'])
  t.not(r.code, 0)
  t.match(r.stderr, /No falconer agent is running on this node/)
})
