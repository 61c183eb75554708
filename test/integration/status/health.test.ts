import t from 'tap'
import { BirdControl } from '../../../src/bird/control/index.js'
import { BirdPoller } from '../../../src/status/bird-poller.js'
import { createHealth, type Health } from '../../../src/status/http.js'
import { reportBirdRestarts } from '../../../src/status/supervisor-health.js'
import { pollUntil, type TeardownHost } from '../../helpers/netns.js'
import { startBirdLab } from './bird-lab.js'

const NET = 45

async function get(base: string, path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`${base}${path}`)
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') }
}

/** The value of one exposition line, e.g. `falconer_bird_up{daemon="bird"}`. */
function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

async function serve(t: TeardownHost, health: Health): Promise<string> {
  const { host, port } = await health.server.listen()
  t.teardown(() => health.server.close())
  if (host !== '127.0.0.1') throw new Error(`health listens on ${host}, not loopback`)
  return `http://${host}:${port}`
}

t.test('liveness, readiness and metrics follow a real BIRD through a crash and restart', async (t) => {
  // A long first backoff keeps BIRD down long enough to be seen down.
  const lab = await startBirdLab(t, 'sh', NET, { backoff: { initialMs: 4_000, maxMs: 8_000 } })
  const v4 = new BirdControl({ socketPath: lab.paths.birdSocket, timeoutMs: 3_000 })
  const v6 = new BirdControl({ socketPath: lab.paths.bird6Socket, timeoutMs: 3_000 })
  t.teardown(() => Promise.all([v4.close(), v6.close()]))

  // `relaxed`: grace over (at least one session suffices); `strict`: still in its start-up
  // grace (every session must be up); `capped`: one per-peer series at most.
  const relaxed = createHealth({ port: 0, thresholds: { startupGraceMs: 0 } })
  const strict = createHealth({ port: 0, thresholds: { startupGraceMs: 3_600_000 } })
  const capped = createHealth({ port: 0, maxSeries: 1, thresholds: { startupGraceMs: 0 } })
  const all = [relaxed, strict, capped]
  const [base, strictBase, cappedBase] = [await serve(t, relaxed), await serve(t, strict), await serve(t, capped)] as [string, string, string]

  const poller = new BirdPoller({ birds: { v4, v6 }, intervalMs: 300, onSample: (f, s) => all.forEach((h) => h.setBirdState(f, s)) })
  t.teardown(() => poller.stop())
  const beat = setInterval(() => all.forEach((h) => h.heartbeat()), 200)
  t.teardown(() => clearInterval(beat))
  const detach = all.map((h) => reportBirdRestarts(lab.supervisor, h))
  t.teardown(() => detach.forEach((d) => d()))

  // Before sync and the first apply: alive, not ready.
  await poller.pollNow()
  t.equal((await get(base, '/liveness')).status, 200)
  const notYet = await get(base, '/readiness')
  t.equal(notYet.status, 503)
  t.match(JSON.parse(notYet.body), { ok: false, checks: { datastore: { ok: false }, config: { ok: false }, bird: { ok: true }, bgpV4: { ok: true } } })

  all.forEach((h) => {
    h.setSynced(true)
    h.recordApply({ family: 4, ok: true, seconds: 0.02 })
    h.recordApply({ family: 6, ok: false, seconds: 0.5 })
  })
  poller.start()
  const ready = await get(base, '/readiness')
  t.equal(ready.status, 200)
  t.equal(ready.type, 'application/json')
  t.match(JSON.parse(ready.body), {
    ok: true,
    checks: { bgpV4: { ok: true, detail: `1 of 2 BGP sessions established; not with 10.99.${NET}.9` }, bgpV6: { ok: true, detail: 'no BGP peers configured' } },
  })
  const starting = await get(strictBase, '/readiness')
  t.equal(starting.status, 503, 'during the start-up grace every peer must be up')
  t.match(JSON.parse(starting.body), { checks: { bgpV4: { ok: false, detail: `starting: BGP not established with 10.99.${NET}.9` } } })

  const metrics = await get(base, '/metrics')
  t.match(metrics.type, /^text\/plain; version=0\.0\.4/)
  const m = metrics.body
  t.equal(metric(m, `falconer_bgp_session_state{family="ipv4",peer="10.99.${NET}.2",type="NodeMesh"}`), 6, 'Established')
  t.equal(metric(m, `falconer_bgp_session_state{family="ipv4",peer="10.99.${NET}.9",type="GlobalPeer"}`), 3, 'Active')
  t.equal(metric(m, 'falconer_bgp_sessions{family="ipv4",state="established"}'), 1)
  t.equal(metric(m, 'falconer_bgp_sessions{family="ipv4",state="not_established"}'), 1)
  t.equal(metric(m, 'falconer_bgp_sessions{family="ipv6",state="established"}'), 0)
  t.equal(metric(m, `falconer_bird_routes_imported{family="ipv4",protocol="Mesh_10_99_${NET}_2"}`), 1, "B's block")
  t.equal(metric(m, `falconer_bird_routes_exported{family="ipv4",protocol="Mesh_10_99_${NET}_2"}`), 1, "A's block")
  t.equal(metric(m, 'falconer_bird_routes_imported{family="ipv4",protocol="pod_blocks"}'), 1)
  t.equal(metric(m, 'falconer_config_applies_total{family="ipv4"}'), 1)
  t.equal(metric(m, 'falconer_config_apply_failures_total{family="ipv6"}'), 1)
  t.equal(metric(m, 'falconer_config_apply_duration_seconds_count{family="ipv4"}'), 1)
  t.equal(metric(m, 'falconer_config_apply_duration_seconds_bucket{le="0.025",family="ipv4"}'), 1)
  t.equal(metric(m, 'falconer_datastore_synced'), 1)
  t.equal(metric(m, 'falconer_bird_up{daemon="bird"}'), 1)
  t.equal(metric(m, 'falconer_bird_up{daemon="bird6"}'), 1)
  t.equal(metric(m, 'falconer_metric_series_dropped_total{metric="falconer_bgp_session_state"}'), undefined, 'nothing dropped under the default cap')

  const c = (await get(cappedBase, '/metrics')).body
  const peerSeries = c.split('\n').filter((l) => l.startsWith('falconer_bgp_session_state{'))
  t.same(peerSeries, [`falconer_bgp_session_state{family="ipv4",peer="10.99.${NET}.9",type="GlobalPeer"} 3`], 'one series: the cap')
  t.equal(metric(c, 'falconer_metric_series_dropped_total{metric="falconer_bgp_session_state"}'), 1, 'the other counted as dropped')
  t.equal(c.split('\n').filter((l) => l.startsWith('falconer_bird_routes_imported{')).length, 1)
  t.equal(metric(c, 'falconer_bgp_sessions{family="ipv4",state="established"}'), 1, 'aggregates count every peer')
  t.equal(metric(c, 'falconer_bgp_sessions{family="ipv4",state="not_established"}'), 1)
  // A second scrape drops the same series again without counting them twice.
  t.equal(metric((await get(cappedBase, '/metrics')).body, 'falconer_metric_series_dropped_total{metric="falconer_bgp_session_state"}'), 1)

  // BIRD dies; the supervisor waits 4 s before starting it again.
  const pid = lab.supervisor.state('bird')!.pid!
  process.kill(pid, 'SIGKILL')
  const dead = await pollUntil('liveness to fail', async () => {
    const r = await get(base, '/liveness')
    return r.status === 503 ? r : undefined
  }, { intervalMs: 100 })
  t.match(JSON.parse(dead.body), { ok: false, checks: { agent: { ok: true }, bird: { ok: false, detail: /Unable to connect|closed/ }, bird6: { ok: true } } })
  t.equal((await get(base, '/readiness')).status, 503)
  t.equal(metric((await get(base, '/metrics')).body, 'falconer_bird_up{daemon="bird"}'), 0)

  await pollUntil('liveness to recover after the restart', async () => (await get(base, '/liveness')).status === 200, { timeoutMs: 60_000 })
  t.not(lab.supervisor.state('bird')!.pid, pid, 'a new BIRD')
  await pollUntil('readiness to recover once the mesh session is back', async () => (await get(base, '/readiness')).status === 200, {
    timeoutMs: 90_000,
  })
  t.equal(metric((await get(base, '/metrics')).body, 'falconer_bird_restarts_total{daemon="bird"}'), 1)
})

t.test('liveness fails when the agent stops beating; the server answers only GET', async (t) => {
  let now = 1_000_000
  const health = createHealth({ port: 0, now: () => now, thresholds: { heartbeatTimeoutMs: 10_000 } })
  const base = await serve(t, health)
  t.equal((await get(base, '/liveness')).status, 200, 'alive from the start')
  now += 10_001
  const stale = await get(base, '/liveness')
  t.equal(stale.status, 503)
  t.match(JSON.parse(stale.body), { checks: { agent: { ok: false, detail: 'no agent heartbeat for 10s' } } })
  health.heartbeat()
  t.equal((await get(base, '/liveness')).status, 200)
  t.equal((await get(base, '/nope')).status, 404)
  t.equal((await fetch(`${base}/liveness`, { method: 'POST' })).status, 405)
  t.equal((await fetch(`${base}/liveness`, { method: 'HEAD' })).status, 200)
})
