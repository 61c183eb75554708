import t from 'tap'
import { BirdControl } from '../../../src/bird/control/index.js'
import type { CalicoNodeStatus } from '../../../src/api/types.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { NodeStatusReporter } from '../../../src/status/node-status-reporter.js'
import { startEtcd, type EtcdHandle } from '../../helpers/etcd.js'
import { pollUntil } from '../../helpers/netns.js'
import { startBirdLab, waitForSessions } from './bird-lab.js'

const NET = 43
const NODE = 'node-a'
const BIRD_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

function nodeStatus(name: string, node: string, updatePeriodSeconds: number, classes: CalicoNodeStatus['spec']['classes'] = ['Agent', 'BGP', 'Routes']): CalicoNodeStatus {
  return { apiVersion: 'projectcalico.org/v3', kind: 'CalicoNodeStatus', metadata: { name }, spec: { node, classes, updatePeriodSeconds } }
}

/** The key's mod revision, straight from etcd. */
async function modRevision(etcd: EtcdHandle, name: string): Promise<number> {
  const out = JSON.parse(await etcd.etcdctl(['get', `/calico/resources/v3/projectcalico.org/caliconodestatuses/${name}`, '-w', 'json'])) as {
    kvs?: { mod_revision: number }[]
  }
  const kv = out.kvs?.[0]
  if (kv === undefined) throw new Error(`${name} is not in etcd`)
  return kv.mod_revision
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('CalicoNodeStatus filled from real BIRD, refreshed at its period, written only on change', async (t) => {
  const [etcd, lab] = await Promise.all([startEtcd(t), startBirdLab(t, 'sr', NET)])
  const store = await EtcdStore.connect(etcd.settings)
  t.teardown(() => store.close())
  const v4 = new BirdControl({ socketPath: lab.paths.birdSocket, timeoutMs: 5_000 })
  const v6 = new BirdControl({ socketPath: lab.paths.bird6Socket, timeoutMs: 5_000 })
  t.teardown(() => Promise.all([v4.close(), v6.close()]))

  await store.create(nodeStatus('full', NODE, 1))
  await store.create(nodeStatus('once', NODE, 0, ['BGP']))
  await store.create(nodeStatus('elsewhere', 'node-x', 1))

  const reporter = new NodeStatusReporter({ store, nodeName: NODE, birds: { v4, v6 }, discoveryIntervalMs: 500 })
  t.teardown(() => reporter.stop())
  reporter.start()

  const full = await pollUntil('the full status to be written', async () => {
    const r = await store.get('CalicoNodeStatus', 'full')
    return r?.status?.bgp?.numberEstablishedV4 === 1 ? r : undefined
  })
  const status = full.status!
  t.match(status.lastUpdated, RFC3339_UTC)
  t.same(Object.keys(status).sort(), ['agent', 'bgp', 'lastUpdated', 'routes'])
  const daemon = {
    state: 'Ready',
    version: '1.6.8',
    routerID: `10.99.${NET}.1`,
    lastBootTime: BIRD_TIME,
    lastReconfigurationTime: BIRD_TIME,
  }
  t.match(status.agent, { birdV4: daemon, birdV6: daemon })
  t.same(Object.keys(status.agent!.birdV4!).sort(), ['lastBootTime', 'lastReconfigurationTime', 'routerID', 'state', 'version'])
  t.match(status.bgp, {
    numberEstablishedV4: 1,
    numberNotEstablishedV4: 1,
    numberEstablishedV6: 0,
    numberNotEstablishedV6: 0,
    peersV4: [
      { peerIP: `10.99.${NET}.2`, type: 'NodeMesh', state: 'Established', since: BIRD_TIME },
      { peerIP: `10.99.${NET}.9`, type: 'GlobalPeer', state: 'Active', since: BIRD_TIME },
    ],
  })
  t.equal(status.bgp?.peersV4?.length, 2)
  t.equal(status.bgp?.peersV6, undefined, 'bird6 has no peers')
  t.same(status.routes, {
    routesV4: [
      { type: 'FIB', destination: `10.99.${NET}.0/24`, gateway: 'N/A', interface: 'veth-a', learnedFrom: { sourceType: 'Direct' } },
      { type: 'FIB', destination: `192.168.${NET}.0/26`, gateway: 'N/A', interface: 'blackhole', learnedFrom: { sourceType: 'Static' } },
      {
        type: 'FIB',
        destination: `192.168.${NET + 100}.0/26`,
        gateway: `10.99.${NET}.2`,
        interface: 'veth-a',
        learnedFrom: { sourceType: 'NodeMesh', peerIP: `10.99.${NET}.2` },
      },
    ],
  })

  const once = await pollUntil('the once status', async () => (await store.get('CalicoNodeStatus', 'once'))?.status)
  t.same(Object.keys(once).sort(), ['bgp', 'lastUpdated'], 'only the BGP class')
  t.equal(once.bgp?.numberEstablishedV4, 1)

  // Unchanged content: several periods go by without a write.
  const revision = await modRevision(etcd, 'full')
  const onceRevision = await modRevision(etcd, 'once')
  await sleep(3_500)
  t.equal(await modRevision(etcd, 'full'), revision, 'not rewritten while BIRD says the same')
  t.equal((await store.get('CalicoNodeStatus', 'elsewhere'))?.status, undefined, "another node's resource is left alone")

  // Content changes: the mesh session goes down, and the next periodic refresh writes it.
  await v4.request(`disable Mesh_10_99_${NET}_2`)
  const down = await pollUntil('the status to show the mesh session down', async () => {
    const r = await store.get('CalicoNodeStatus', 'full')
    return r?.status?.bgp?.numberEstablishedV4 === 0 ? r.status : undefined
  })
  t.ok(down.lastUpdated! > status.lastUpdated!, `lastUpdated advanced (${status.lastUpdated} → ${down.lastUpdated})`)
  t.ok((await modRevision(etcd, 'full')) > revision)
  t.match(down.bgp?.peersV4, [{ peerIP: `10.99.${NET}.2`, type: 'NodeMesh', state: '' }, { peerIP: `10.99.${NET}.9`, state: 'Active' }])
  t.notOk(
    down.routes?.routesV4?.some((r) => r.learnedFrom.sourceType === 'NodeMesh'),
    "B's block is gone with the session",
  )
  t.equal(await modRevision(etcd, 'once'), onceRevision, 'updatePeriodSeconds 0: no periodic refresh')

  await v4.request(`enable Mesh_10_99_${NET}_2`)
  await waitForSessions(lab.paths.birdSocket, { [`Mesh_10_99_${NET}_2`]: 'Established' })
  await pollUntil('the status to show the mesh session back', async () => {
    const r = await store.get('CalicoNodeStatus', 'full')
    return r?.status?.bgp?.numberEstablishedV4 === 1
  })

  // A spec change is picked up: fewer classes, fewer fragments.
  const current = (await store.get('CalicoNodeStatus', 'full'))!
  await store.update({ ...current, spec: { ...current.spec, classes: ['Agent'] } })
  const agentOnly = await pollUntil('the status to follow the new classes', async () => {
    const s = (await store.get('CalicoNodeStatus', 'full'))?.status
    return s !== undefined && s.bgp === undefined ? s : undefined
  })
  t.same(Object.keys(agentOnly).sort(), ['agent', 'lastUpdated'])

  // Deleted: the reporter lets go and never writes it again.
  t.same(reporter.reporting(), ['full', 'once'])
  await store.delete('CalicoNodeStatus', 'full')
  await pollUntil('the reporter to drop the deleted resource', () => reporter.reporting().length === 1)
  t.same(reporter.reporting(), ['once'])
  await sleep(2_500)
  t.equal(await store.get('CalicoNodeStatus', 'full'), undefined, 'not re-created')

  // A new resource is found by the next discovery.
  await store.create(nodeStatus('late', NODE, 1, ['Routes']))
  const late = await pollUntil('the late resource to be filled', async () => (await store.get('CalicoNodeStatus', 'late'))?.status)
  t.equal(late.routes?.routesV4?.length, 3)
  t.same(reporter.reporting(), ['late', 'once'])
})

t.test('a daemon that does not answer is reported NotReady with empty peers and routes', async (t) => {
  const etcd = await startEtcd(t)
  const store = await EtcdStore.connect(etcd.settings)
  t.teardown(() => store.close())
  const gone = new BirdControl({ socketPath: '/nonexistent/bird.ctl', timeoutMs: 1_000 })
  t.teardown(() => gone.close())
  await store.create(nodeStatus('quiet', NODE, 1))
  const reporter = new NodeStatusReporter({ store, nodeName: NODE, birds: { v4: gone }, discoveryIntervalMs: 500 })
  t.teardown(() => reporter.stop())
  reporter.start()
  const status = await pollUntil('the quiet status', async () => (await store.get('CalicoNodeStatus', 'quiet'))?.status)
  t.same(
    { ...status, lastUpdated: 'x' },
    {
      lastUpdated: 'x',
      agent: { birdV4: { state: 'NotReady' }, birdV6: { state: 'NotReady' } },
      bgp: { numberEstablishedV4: 0, numberEstablishedV6: 0, numberNotEstablishedV4: 0, numberNotEstablishedV6: 0 },
      routes: {},
    },
  )
})
