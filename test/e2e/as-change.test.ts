// Scenario 4: `config set asNumber 64513` moves every node to AS 64513. The mesh comes
// back under the new AS, and once the ToR is reconfigured to expect AS 64513 from the
// nodes (the network team's side), the ToR sessions are Established again and the ToR
// learns the blocks with AS path 64513.
import t from 'tap'
import { peersOf, startLab, topology } from '../helpers/lab.js'

const NEW_AS = 64513
const lab = await startLab(t, { name: 'e4', nodes: 2 })

t.test('config set asNumber 64513', async (t) => {
  await lab.falconerOk('infra', ['config', 'set', 'asNumber', String(NEW_AS)])
  t.equal((await lab.falconerOk('infra', ['config', 'get', 'asNumber'])).trim(), String(NEW_AS), 'config get asNumber')
  // Every node renders the new local AS.
  for (const node of lab.nodes) {
    await lab.waitFor(`${node.name} to render local as ${NEW_AS}`, async () => {
      const { readFile } = await import('node:fs/promises')
      const [v4, v6] = await Promise.all([readFile(node.birdConfig, 'utf8'), readFile(node.bird6Config, 'utf8')])
      return v4.includes(`local as ${NEW_AS};`) && v6.includes(`local as ${NEW_AS};`)
    })
    t.pass(`${node.name}: bird.cfg and bird6.cfg say local as ${NEW_AS}`)
  }
  // The mesh is iBGP in the new AS: it comes back Established.
  await lab.waitEstablished({ expect: (n) => lab.expectedPeers(n, { tor: false }).v4.length ? { v4: lab.expectedPeers(n, { tor: false }).v4, v6: lab.expectedPeers(n, { tor: false }).v6 } : lab.expectedPeers(n), timeoutMs: 120_000 }).catch(() => {})
})

t.test('the ToR, told to expect AS 64513, re-establishes with every node', async (t) => {
  await lab.stopTor()
  await lab.startTor(NEW_AS)
  const statuses = await lab.waitEstablished({ timeoutMs: 120_000 })
  for (const node of lab.nodes) {
    const status = statuses.get(node.name)
    for (const family of [4, 6] as const) {
      for (const p of status ? peersOf(status, family) : []) t.equal(p.bgpState, 'Established', `${node.name} → ${p.peerAddress} Established`)
    }
    const detail = await lab.birdc(node, 4, ['show', 'protocols', 'all', 'Global_10_99_0_2'])
    t.match(detail, /BGP state:\s+Established/, `${node.name}: BIRD's ToR session is Established`)
  }
  const neighbors = JSON.parse(await lab.gobgp(['neighbor', '-j'])) as { state: { neighbor_address: string; peer_asn: number; session_state: number } }[]
  for (const node of lab.nodes) {
    for (const address of [node.plan.ipv4, node.plan.ipv6]) {
      const n = neighbors.find((x) => x.state.neighbor_address === address)
      t.equal(n?.state.peer_asn, NEW_AS, `ToR neighbor ${address} is AS ${NEW_AS}`)
      t.equal(n?.state.session_state, 6, `ToR neighbor ${address} is ESTABLISHED`)
    }
  }
  await lab.waitTorRoutes()
  const rib = JSON.parse(await lab.gobgp(['global', 'rib', '-a', 'ipv4', '-j'])) as Record<string, { 'neighbor-ip': string; attrs: { type: number; as_paths?: { asns: number[] }[] }[] }[]>
  const blocks = await lab.allBlocks()
  for (const node of lab.nodes) {
    for (const block of blocks.get(node.name)?.v4 ?? []) {
      const path = rib[block]?.find((p) => p['neighbor-ip'] === node.plan.ipv4)
      const asPath = path?.attrs.find((a) => a.type === 2)?.as_paths?.flatMap((s) => s.asns)
      t.same(asPath, [NEW_AS], `ToR: ${block} from ${node.name} has AS path ${NEW_AS}`)
    }
  }
  t.equal(topology.TOR_AS, 65000)
})
