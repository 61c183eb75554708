import t from 'tap'
import { DEFAULT_THRESHOLDS, evaluateLiveness, evaluateReadiness, type HealthState } from '../../../src/status/health-model.js'
import type { BirdSample, PeerSample } from '../../../src/status/samples.js'

const NOW = 10_000_000
const thresholds = { ...DEFAULT_THRESHOLDS, startupGraceMs: 60_000 }
const peer = (peerIP: string, bgpState: string): PeerSample => ({ protocol: `Mesh_${peerIP.replaceAll('.', '_')}`, peerIP, type: 'NodeMesh', bgpState })
const up = (...peers: PeerSample[]): BirdSample => ({ answering: true, peers, routes: [] })

function state(over: Partial<HealthState> = {}, samples: [4 | 6, BirdSample, number?][] = [[4, up()]]): HealthState {
  return {
    startedAt: NOW - 120_000,
    lastHeartbeat: NOW,
    synced: true,
    configApplied: true,
    bird: new Map(samples.map(([f, sample, at]) => [f, { sample, at: at ?? NOW }])),
    ...over,
  }
}

t.test('liveness: heartbeat and every sampled daemon answering', async (t) => {
  t.equal(evaluateLiveness(state(), NOW, thresholds).ok, true)
  t.same(evaluateLiveness(state({ lastHeartbeat: NOW - 60_001 }), NOW, thresholds).checks.agent, {
    ok: false,
    detail: 'no agent heartbeat for 60s',
  })
  const down = evaluateLiveness(state({}, [[4, up()], [6, { answering: false, reason: 'refused' }]]), NOW, thresholds)
  t.same(down, {
    ok: false,
    checks: {
      agent: { ok: true, detail: 'agent loop alive' },
      bird: { ok: true, detail: 'answers its control socket' },
      bird6: { ok: false, detail: 'refused' },
    },
  })
  t.same(evaluateLiveness(state({}, [[4, up(), NOW - 60_001]]), NOW, thresholds).checks.bird, { ok: false, detail: 'no poll for 60s' }, 'a stale sample')
  t.equal(evaluateLiveness(state({}, []), NOW, thresholds).ok, true, 'no daemon run: only the heartbeat')
})

t.test('liveness: a BIRD not started yet (no config applied) is not a reason to restart the agent', async (t) => {
  const silent: BirdSample = { answering: false, reason: 'connect ENOENT bird.ctl' }
  const before = evaluateLiveness(state({ configApplied: false, synced: false }, [[4, silent], [6, silent]]), NOW, thresholds)
  t.equal(before.ok, true, 'live while waiting for the first config')
  t.same(before.checks.bird, { ok: true, detail: 'not started yet: no config applied (connect ENOENT bird.ctl)' })
  t.equal(evaluateReadiness(state({ configApplied: false, synced: false }, [[4, silent], [6, silent]]), NOW, thresholds).ok, false, 'and not ready')
  t.equal(evaluateLiveness(state({ configApplied: true }, [[4, silent]]), NOW, thresholds).ok, false, 'once a config was applied, a silent BIRD fails liveness')
  t.equal(evaluateLiveness(state({ configApplied: false, lastHeartbeat: NOW - 60_001 }, [[4, silent]]), NOW, thresholds).ok, false, 'a dead agent loop still fails it')
})

t.test('readiness: synced, applied, BIRD polled', async (t) => {
  t.equal(evaluateReadiness(state(), NOW, thresholds).ok, true, 'no peers configured: ready')
  t.same(evaluateReadiness(state({ synced: false }), NOW, thresholds).checks.datastore, { ok: false, detail: 'datastore not in sync' })
  t.same(evaluateReadiness(state({ configApplied: false }), NOW, thresholds).checks.config, { ok: false, detail: 'no BIRD config applied yet' })
  t.same(evaluateReadiness(state({}, []), NOW, thresholds).checks.bird, { ok: false, detail: 'BIRD not polled yet' })
})

t.test('readiness: every peer during the start-up grace, then at least one', async (t) => {
  const mixed: [4 | 6, BirdSample][] = [[4, up(peer('10.0.0.2', 'Established'), peer('10.0.0.3', 'Active'))]]
  const inGrace = evaluateReadiness(state({ startedAt: NOW - 1_000 }, mixed), NOW, thresholds)
  t.same(inGrace.checks.bgpV4, { ok: false, detail: 'starting: BGP not established with 10.0.0.3' })
  t.equal(inGrace.ok, false)
  const after = evaluateReadiness(state({}, mixed), NOW, thresholds)
  t.same(after.checks.bgpV4, { ok: true, detail: '1 of 2 BGP sessions established; not with 10.0.0.3' })
  t.equal(after.ok, true)
  const none = evaluateReadiness(state({}, [[4, up(peer('10.0.0.2', 'Connect'))], [6, up(peer('fd00::2', 'Established'))]]), NOW, thresholds)
  t.same(none.checks.bgpV4, { ok: false, detail: 'no BGP session established (10.0.0.2)' }, 'per family')
  t.same(none.checks.bgpV6, { ok: true, detail: 'all 1 BGP sessions established' })
  t.equal(none.ok, false)
  const allUp = evaluateReadiness(state({ startedAt: NOW }, [[4, up(peer('10.0.0.2', 'Established'))]]), NOW, thresholds)
  t.equal(allUp.ok, true, 'ready within the grace once every session is up')
})

t.test('readiness: a failed apply waiting for its retry is not ready, and says why', async (t) => {
  const failing = evaluateReadiness(state({ applyFailure: { families: [6], message: 'ENOSPC: no space left on device', attempts: 3 } }), NOW, thresholds)
  t.equal(failing.ok, false)
  t.same(failing.checks.config, { ok: false, detail: 'applying bird6.cfg failed 3 time(s), retrying: ENOSPC: no space left on device' })
})
