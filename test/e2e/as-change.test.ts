// Scenario 4: `config set asNumber 64513` moves every node to AS 64513. The mesh comes
// back under the new AS, and once the ToR is reconfigured to expect AS 64513 from the
// nodes (the network team's side), the ToR sessions are Established again and the ToR
// learns the blocks with AS path 64513.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { allBlocks, peersOf, startLab, topology, waitEstablished, waitTorRoutes } from '../helpers/lab.js'

const NEW_AS = 64513
const lab = await startLab(t, { name: 'e4', nodes: 2 })

t.test('config set asNumber 64513', async (t) => {
  await lab.falconerOk('infra', ['config', 'set', 'asNumber', String(NEW_AS)])
  t.equal((await lab.falconerOk('infra', ['config', 'get', 'asNumber'])).trim(), String(NEW_AS), 'config get asNumber')
  // Every node renders the new local AS.
  for (const node of lab.nodes) {
    await lab.waitFor(`${node.name} to render local as ${NEW_AS}`, async () => {
      const [v4, v6] = await Promise.all([readFile(node.birdConfig, 'utf8'), readFile(node.bird6Config, 'utf8')])
      return v4.includes(`local as ${NEW_AS};`) && v6.includes(`local as ${NEW_AS};`)
    })
    t.pass(`${node.name}: bird.cfg and bird6.cfg say local as ${NEW_AS}`)
  }
  // The mesh is iBGP in the new AS: BIRD's mesh sessions name AS 64513 and are Established.
  for (const node of lab.nodes) {
    const status = await lab.nodeStatus(node)
    for (const family of [4, 6] as const) {
      for (const mesh of peersOf(status, family).filter((p) => p.type === 'NodeMesh')) {
        await lab.waitFor(`${node.name} ${mesh.protocol} Established with AS ${NEW_AS}`, async () => {
          const detail = await lab.birdc(node, family, ['show', 'protocols', 'all', mesh.protocol])
          return new RegExp(`Neighbor AS:\\s+${NEW_AS}\\b`).test(detail) && /BGP state:\s+Established/.test(detail) && /Session:\s+internal/.test(detail)
        }, 120_000)
        t.pass(`${node.name}: ${mesh.protocol} is an Established iBGP session in AS ${NEW_AS}`)
      }
    }
  }
  // The ToR still expects AS 64512 and refuses the nodes' OPEN: proof the AS changed.
  await lab.waitFor('the ToR sessions to go down', async () => {
    for (const node of lab.nodes) {
      const s = await lab.nodeStatus(node)
      for (const [family, tor] of [[4, topology.TOR_V4], [6, topology.TOR_V6]] as const) {
        if (peersOf(s, family).find((p) => p.peerAddress === tor)?.bgpState === 'Established') return false
      }
    }
    return true
  }, 120_000)
  t.pass('the ToR (still expecting AS 64512) no longer accepts the nodes')
})

t.test('the ToR, told to expect AS 64513, re-establishes with every node', async (t) => {
  await lab.stopTor()
  await lab.startTor(NEW_AS)
  const statuses = await waitEstablished(lab, { timeoutMs: 120_000 })
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
  await waitTorRoutes(lab)
  const rib = JSON.parse(await lab.gobgp(['global', 'rib', '-a', 'ipv4', '-j'])) as Record<string, { 'neighbor-ip': string; attrs: { type: number; as_paths?: { asns: number[] }[] }[] }[]>
  const blocks = await allBlocks(lab)
  for (const node of lab.nodes) {
    for (const block of blocks.get(node.name)?.v4 ?? []) {
      const path = rib[block]?.find((p) => p['neighbor-ip'] === node.plan.ipv4)
      const asPath = path?.attrs.find((a) => a.type === 2)?.as_paths?.flatMap((s) => s.asns)
      t.same(asPath, [NEW_AS], `ToR: ${block} from ${node.name} has AS path ${NEW_AS}`)
    }
  }
  t.equal(topology.TOR_AS, 65000)
})
