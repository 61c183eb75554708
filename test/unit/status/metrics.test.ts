import t from 'tap'
import { StatusMetrics, sessionStateValue } from '../../../src/status/metrics.js'
import type { BirdSample, PeerSample } from '../../../src/status/samples.js'

const peer = (n: number, bgpState: string): PeerSample => ({ protocol: `Mesh_10_0_0_${n}`, peerIP: `10.0.0.${n}`, type: 'NodeMesh', bgpState })
const lines = async (m: StatusMetrics, prefix: string) => (await m.registry.metrics()).split('\n').filter((l) => l.startsWith(prefix))

t.test('session states as numbers', async (t) => {
  t.same(['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established', 'Close', '', 'Passive'].map(sessionStateValue), [1, 2, 3, 4, 5, 6, 7, 0, 0])
})

t.test('per-peer series are capped; aggregates are not; drops counted once per series', async (t) => {
  const m = new StatusMetrics(2)
  const sample: BirdSample = {
    answering: true,
    peers: [peer(3, 'Established'), peer(1, 'Active'), peer(2, 'Established')],
    routes: [{ protocol: 'Mesh_10_0_0_1', imported: 4, exported: 2, preferred: 3 }],
  }
  m.setBirdSample(4, sample)
  m.setBirdSample(4, sample)
  t.same(await lines(m, 'falconer_bgp_session_state{'), [
    'falconer_bgp_session_state{family="ipv4",peer="10.0.0.1",type="NodeMesh"} 3',
    'falconer_bgp_session_state{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 6',
  ])
  t.same(await lines(m, 'falconer_bgp_sessions{'), [
    'falconer_bgp_sessions{family="ipv4",state="established"} 2',
    'falconer_bgp_sessions{family="ipv4",state="not_established"} 1',
  ])
  t.same(await lines(m, 'falconer_metric_series_dropped_total{'), ['falconer_metric_series_dropped_total{metric="falconer_bgp_session_state"} 1'])
  t.same(await lines(m, 'falconer_bird_routes_'), [
    'falconer_bird_routes_imported{family="ipv4",protocol="Mesh_10_0_0_1"} 4',
    'falconer_bird_routes_exported{family="ipv4",protocol="Mesh_10_0_0_1"} 2',
    'falconer_bird_routes_preferred{family="ipv4",protocol="Mesh_10_0_0_1"} 3',
  ], 'filtered only where BIRD prints it')

  // A peer goes away: its series goes with it; a silent daemon has no peer series at all.
  m.setBirdSample(4, { answering: true, peers: [peer(2, 'Established')], routes: [] })
  t.same(await lines(m, 'falconer_bgp_session_state{'), ['falconer_bgp_session_state{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 6'])
  m.setBirdSample(4, { answering: false, reason: 'gone' })
  t.same(await lines(m, 'falconer_bgp_session_state{'), [])
  t.same(await lines(m, 'falconer_bird_up{'), ['falconer_bird_up{daemon="bird"} 0'])
  m.setBirdSample(4, undefined)
  t.same(await lines(m, 'falconer_bird_up{'), [])
})

t.test('counters and the private registry', async (t) => {
  const a = new StatusMetrics()
  const b = new StatusMetrics()
  a.recordApply(4, true, 0.3)
  a.recordApply(4, false, 2)
  a.recordBirdRestart('bird6')
  a.setSynced(true)
  t.same((await lines(a, 'falconer_config_appl')).filter((l) => l.includes('_total{')), [
    'falconer_config_applies_total{family="ipv4"} 1',
    'falconer_config_apply_failures_total{family="ipv4"} 1',
  ])
  t.same(await lines(a, 'falconer_config_apply_duration_seconds_count'), ['falconer_config_apply_duration_seconds_count{family="ipv4"} 2'])
  t.same(await lines(a, 'falconer_config_apply_duration_seconds_sum'), ['falconer_config_apply_duration_seconds_sum{family="ipv4"} 2.3'])
  t.same(await lines(a, 'falconer_config_apply_duration_seconds_bucket{le="0.5"'), ['falconer_config_apply_duration_seconds_bucket{le="0.5",family="ipv4"} 1'])
  t.same(await lines(a, 'falconer_bird_restarts_total{'), ['falconer_bird_restarts_total{daemon="bird6"} 1'])
  t.same(await lines(a, 'falconer_datastore_synced '), ['falconer_datastore_synced 1'])
  t.same(await lines(b, 'falconer_datastore_synced '), ['falconer_datastore_synced 0'], 'two instances do not share state')
  t.throws(() => new StatusMetrics(-1), RangeError)
})

t.test('falconer_config_apply_failing: 1 per family while a failed apply waits for its retry', async (t) => {
  const m = new StatusMetrics()
  t.same(await lines(m, 'falconer_config_apply_failing{'), ['falconer_config_apply_failing{family="ipv4"} 0', 'falconer_config_apply_failing{family="ipv6"} 0'])
  m.setApplyFailing(6, true)
  t.same(await lines(m, 'falconer_config_apply_failing{'), ['falconer_config_apply_failing{family="ipv4"} 0', 'falconer_config_apply_failing{family="ipv6"} 1'])
  m.setApplyFailing(6, false)
  t.same(await lines(m, 'falconer_config_apply_failing{family="ipv6"'), ['falconer_config_apply_failing{family="ipv6"} 0'])
})

t.test('per session: up, uptime, prefixes by kind and family, state changes', async (t) => {
  let now = Date.parse('2026-12-01T10:00:00Z')
  const m = new StatusMetrics(100, () => now)
  const routes = { imported: 5, exported: 2, preferred: 4, filtered: 1 }
  const v4 = (bgpState: string, sinceMs: number): BirdSample => ({
    answering: true,
    peers: [{ ...peer(2, bgpState), sinceMs, ...(bgpState === 'Established' && { routes }) }],
    routes: [],
  })
  m.setBirdSample(4, v4('Established', now - 90_000))
  m.setBirdSample(6, {
    answering: true,
    peers: [{ protocol: 'Global_fd99__9', peerIP: 'fd99::9', type: 'GlobalPeer', bgpState: 'Active', sinceMs: now - 5_000 }],
    routes: [],
  })
  t.same(await lines(m, 'falconer_bgp_session_up{'), [
    'falconer_bgp_session_up{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 1',
    'falconer_bgp_session_up{family="ipv6",peer="fd99::9",type="GlobalPeer"} 0',
  ])
  now += 10_000
  t.same(await lines(m, 'falconer_bgp_session_uptime_seconds{'), [
    'falconer_bgp_session_uptime_seconds{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 100',
    'falconer_bgp_session_uptime_seconds{family="ipv6",peer="fd99::9",type="GlobalPeer"} 0',
  ], 'uptime counts from when the session came up; a session that is not up has none')
  t.same(await lines(m, 'falconer_bgp_session_prefixes_'), [
    'falconer_bgp_session_prefixes_imported{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 5',
    'falconer_bgp_session_prefixes_exported{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 2',
    'falconer_bgp_session_prefixes_filtered{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 1',
    'falconer_bgp_session_prefixes_preferred{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 4',
  ])
  const changes = () => lines(m, 'falconer_bgp_session_state_changes_total{family="ipv4"')
  t.same(await changes(), ['falconer_bgp_session_state_changes_total{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 0'], 'a new session starts at 0')
  m.setBirdSample(4, v4('Established', now - 100_000))
  t.same(await changes(), ['falconer_bgp_session_state_changes_total{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 0'], 'same state, same start: no change')
  m.setBirdSample(4, v4('Active', now))
  t.same(await changes(), ['falconer_bgp_session_state_changes_total{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 1'])
  m.setBirdSample(4, v4('Active', now + 1_000))
  t.same(await changes(), ['falconer_bgp_session_state_changes_total{family="ipv4",peer="10.0.0.2",type="NodeMesh"} 3'], 'left and came back between polls: 2')
  m.setBirdSample(4, { answering: false, reason: 'busy' })
  t.equal((await changes()).length, 1, 'a silent daemon keeps its sessions\' counters')
  m.setBirdSample(4, { answering: true, peers: [], routes: [] })
  t.same(await changes(), [], 'a session that is gone loses its series')
})

t.test('datastore sync state, errors, revisions; config loads and reload failures per daemon', async (t) => {
  const m = new StatusMetrics(100, () => 1_700_000_000_000)
  t.same(await lines(m, 'falconer_datastore_errors_total'), ['falconer_datastore_errors_total 0'])
  m.setSyncStatus('syncing')
  m.setSyncStatus('in-sync')
  t.same(await lines(m, 'falconer_datastore_sync_state{'), [
    'falconer_datastore_sync_state{state="syncing"} 0',
    'falconer_datastore_sync_state{state="in-sync"} 1',
    'falconer_datastore_sync_state{state="resyncing"} 0',
    'falconer_datastore_sync_state{state="disconnected"} 0',
  ])
  t.same(await lines(m, 'falconer_datastore_synced '), ['falconer_datastore_synced 1'])
  m.setSyncStatus('resyncing')
  m.setSyncStatus('resyncing')
  m.setSyncStatus('disconnected')
  m.setSyncStatus('in-sync')
  t.same(await lines(m, 'falconer_datastore_errors_total'), ['falconer_datastore_errors_total 2'], 'each loss of the view once')

  m.setDatastoreRevision(42)
  m.setAppliedRevision(4, 40)
  t.same(await lines(m, 'falconer_datastore_revision '), ['falconer_datastore_revision 42'])
  t.same(await lines(m, 'falconer_config_applied_revision{'), ['falconer_config_applied_revision{family="ipv4"} 40'])

  m.recordApply(4, true, 0.1)
  m.recordApply(6, false, 0.1, 'check')
  m.recordApply(6, false, 0.1, 'configure')
  m.recordApply(6, false, 0)
  t.same(await lines(m, 'falconer_bird_config_loaded_timestamp_seconds{'), ['falconer_bird_config_loaded_timestamp_seconds{daemon="bird"} 1700000000'])
  t.same(await lines(m, 'falconer_bird_reload_failures_total{'), [
    'falconer_bird_reload_failures_total{daemon="bird6",stage="check"} 1',
    'falconer_bird_reload_failures_total{daemon="bird6",stage="configure"} 1',
    'falconer_bird_reload_failures_total{daemon="bird6",stage="error"} 1',
  ])
})
