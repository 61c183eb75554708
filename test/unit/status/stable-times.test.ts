import t from 'tap'
import { stabiliseTimes } from '../../../src/status/stable-times.js'
import type { StatusContent } from '../../../src/status/node-status-content.js'

const daemon = (boot: string, reconf: string) => ({ state: 'Ready' as const, version: '1.6.8', routerID: '10.0.0.1', lastBootTime: boot, lastReconfigurationTime: reconf })
const bgp = (state: string, since: string): StatusContent['bgp'] => ({
  numberEstablishedV4: state === 'Established' ? 1 : 0,
  numberEstablishedV6: 0,
  numberNotEstablishedV4: state === 'Established' ? 0 : 1,
  numberNotEstablishedV6: 0,
  peersV4: [{ peerIP: '10.0.0.2', type: 'NodeMesh', state, since }],
})

t.test("BIRD's one-second jitter keeps the reported text", async (t) => {
  const reported: StatusContent = {
    agent: { birdV4: daemon('2026-11-22 20:49:55', '2026-11-22 20:49:55'), birdV6: daemon('2026-11-22 20:49:56', '2026-11-22 20:49:56') },
    bgp: bgp('Established', '2026-11-22 20:49:56'),
  }
  const observed: StatusContent = {
    agent: { birdV4: daemon('2026-11-22 20:49:56', '2026-11-22 20:49:56'), birdV6: daemon('2026-11-22 20:49:55', '2026-11-22 20:49:57') },
    bgp: bgp('Established', '2026-11-22 20:49:57'),
  }
  t.same(stabiliseTimes(reported, observed), reported)
})

t.test('real changes go through', async (t) => {
  const reported: StatusContent = { agent: { birdV4: daemon('2026-11-22 20:49:55', '2026-11-22 20:49:55') }, bgp: bgp('Established', '11:00:00') }
  const reconfigured: StatusContent = { agent: { birdV4: daemon('2026-11-22 20:49:56', '2026-11-22 21:03:10') }, bgp: bgp('Established', '11:00:01') }
  t.same(stabiliseTimes(reported, reconfigured), {
    agent: { birdV4: daemon('2026-11-22 20:49:55', '2026-11-22 21:03:10') },
    bgp: bgp('Established', '11:00:00'),
  })
  const flapped: StatusContent = { bgp: bgp('Active', '11:00:01') }
  t.same(stabiliseTimes(reported, flapped), flapped, 'a new state keeps its own time')
  t.same(stabiliseTimes({}, reconfigured), reconfigured, 'nothing reported yet')
  const restarted: StatusContent = { agent: { birdV4: { state: 'NotReady' } } }
  t.same(stabiliseTimes(reported, restarted), restarted)
})
