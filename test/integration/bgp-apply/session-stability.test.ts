import t from 'tap'
import { readFile, stat } from 'node:fs/promises'
import type { ApplyOutcome } from '../../../src/bgp/apply/config-applier.js'
import { pollUntil } from '../../helpers/netns.js'
import {
  BIRD_TIME_JITTER_MS,
  birdStatus,
  NODE_B,
  nodeResource,
  protocolDetails,
  protocolText,
  resource,
  sameBirdTime,
  sameSince,
  sessionAgedAtLeast,
  settledAfterReconfiguration,
  startApplyLab,
  timestampMs,
  type ApplyLab,
} from './apply-lab.js'
import { SessionMonitor } from './session-monitor.js'
import { unrelatedChanges } from './unrelated-changes.js'

/**
 * Issue "BIRD configuration", part 3 (Apply), must-show 1, 2 and 4: the whole pipeline
 * (etcd → syncer → Reconciler → `bird -p` → rename → `configure`) against real BIRD, with
 * a real BGP session that must survive every unrelated change without a restart.
 */
const NET = 61

/** BIRD took the new config: 0003, or 0004/0005 while removed protocols still shut down. */
const accepted = (o: ApplyOutcome) => o.result === 'applied' && ['reconfigured', 'in-progress', 'queued'].includes(o.reload)
const reconfigured = (o: ApplyOutcome) => o.result === 'applied' && o.reload === 'reconfigured'

function stats(values: readonly number[]): string {
  const s = [...values].sort((x, y) => x - y)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!
  return `n=${s.length} min=${s[0]} median=${at(0.5)} p90=${at(0.9)} max=${s[s.length - 1]}`
}

async function fileIdentity(path: string): Promise<{ ino: number; mtimeMs: number; size: number }> {
  const st = await stat(path)
  return { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size }
}

t.test('apply pipeline against real BIRD: session stability and no-op snapshots', async (t) => {
  const lab: ApplyLab = await startApplyLab(t, NET)
  const { paths } = lab

  await t.test('1. A↔B session is Established', async (t) => {
    const a = await protocolDetails(lab.controlA, lab.sessionOnA)
    t.equal(a.bgpDetails?.state, 'Established', 'A sees B Established')
    t.equal(a.bgpDetails?.neighborAddress, `10.99.${NET}.2`)
    t.equal(a.since.format, 'datetime', 'timeformat protocol iso long is in effect')
    const b = await protocolDetails(lab.controlB, lab.sessionOnB)
    t.equal(b.bgpDetails?.state, 'Established', 'B sees A Established')
    // A exports its block; B learns it over the session.
    await pollUntil('B to learn A\'s block', async () => (await lab.controlB.request(`show route 192.168.${NET}.0/26`)).lines.some((l) => l.text.startsWith(`192.168.${NET}.0/26`)))
    t.pass('B learned A\'s block 192.168.N.0/26 from A')
    // B's log records its session's events, so a restart would show there (see test 2).
    t.match(await readFile(lab.bLogFile, 'utf8'), `${lab.sessionOnB}: BGP session established`, "B's log shows the session's events")
  })

  await t.test('2. fifty unrelated datastore changes never restart the session', async (t) => {
    const changes = unrelatedChanges(NET)
    t.equal(changes.length, 50, 'fifty changes')
    // Old enough that a restart would move `since` well past BIRD's ±1 s display jitter.
    const baseA = await sessionAgedAtLeast(lab.controlA, lab.sessionOnA, 3)
    const baseB = await protocolDetails(lab.controlB, lab.sessionOnB)
    const statusBefore = await birdStatus(lab.controlA)
    const bLogBefore = (await readFile(lab.bLogFile, 'utf8')).length
    const monitor = new SessionMonitor(
      { a: paths.birdSocket, b: lab.bSocket },
      { a: lab.sessionOnA, b: lab.sessionOnB },
      { a: baseA.since, b: baseB.since },
    )
    t.teardown(() => monitor.stop())

    const sessionHeader = new RegExp(`^protocol bgp ${lab.sessionOnA} `)
    const sessionTextBefore = protocolText(await readFile(paths.birdConfig, 'utf8'), sessionHeader)
    t.ok(sessionTextBefore, 'the session has a protocol block in bird.cfg')
    const templateHeader = /^template bgp bgp_template /
    let templateBefore = protocolText(await readFile(paths.birdConfig, 'utf8'), templateHeader)

    let v4Changed = 0
    let v6Changed = 0
    let anyAccepted = 0
    let anyReconfigured = 0
    const replies = new Map<string, number>()
    const applySeconds: number[] = []
    const endToEndMs: number[] = []
    const templateChanges: string[] = []
    const rows: string[] = []
    for (const [i, change] of changes.entries()) {
      const before = { v4: await readFile(paths.birdConfig, 'utf8'), v6: await readFile(paths.bird6Config, 'utf8') }
      const { result, ms } = await lab.change(() => change.write(lab))
      const after = { v4: await readFile(paths.birdConfig, 'utf8'), v6: await readFile(paths.bird6Config, 'utf8') }
      endToEndMs.push(ms)
      const label = `#${i + 1} ${change.what}`
      for (const family of ['v4', 'v6'] as const) {
        const outcome = result[family]
        const textChanged = before[family] !== after[family]
        if (outcome.result === 'rejected') t.fail(`${label}: ${family} rejected: ${outcome.error.message}`)
        if (outcome.result === 'applied') applySeconds.push(outcome.seconds)
        if (textChanged) {
          if (family === 'v4') v4Changed++
          else v6Changed++
          t.ok(accepted(outcome), `${label}: ${family} changed and BIRD took it`, { outcome })
          if (outcome.result === 'applied') replies.set(outcome.reload, (replies.get(outcome.reload) ?? 0) + 1)
        } else {
          t.equal(outcome.result, 'unchanged', `${label}: ${family} text unchanged → nothing applied`)
        }
      }
      if (accepted(result.v4) || accepted(result.v6)) anyAccepted++
      if (reconfigured(result.v4) || reconfigured(result.v6)) anyReconfigured++
      const show = (o: ApplyOutcome) => (o.result === 'applied' ? o.reload : o.result)
      rows.push(`${label}: v4 ${show(result.v4)}, v6 ${show(result.v6)} (${ms} ms)`)

      t.equal(protocolText(after.v4, sessionHeader), sessionTextBefore, `${label}: ${lab.sessionOnA} text byte-identical`)
      const templateAfter = protocolText(after.v4, templateHeader)
      if (templateAfter !== templateBefore) templateChanges.push(`${label}:\n--- before\n${templateBefore}\n--- after\n${templateAfter}`)
      templateBefore = templateAfter

      const a = await protocolDetails(lab.controlA, lab.sessionOnA)
      if (a.bgpDetails?.state !== 'Established' || !sameSince(a.since, baseA.since)) {
        t.fail(`${label}: session on A is ${a.bgpDetails?.state} since ${a.since.raw} (was Established since ${baseA.since.raw})`)
      }
      if (change.what === `affinity node-a 10.244.1.0/26 confirmed`) {
        // A filter change is soft: the new block reaches B over the same session.
        await pollUntil('B to learn 10.244.1.0/26 from A', async () =>
          (await lab.controlB.request('show route 10.244.1.0/26')).lines.some((l) => l.text.startsWith('10.244.1.0/26')),
        )
      }
    }
    await monitor.stop()

    t.comment(rows.join('\n'))
    if (templateChanges.length > 0) t.comment(`bgp_template changed (BIRD must still keep the session):\n${templateChanges.join('\n')}`)
    if (monitor.violations.length > 0) t.comment(JSON.stringify(monitor.violations.slice(0, 20)))
    t.same(monitor.violations, [], `no restart seen in ${monitor.samples} samples of both ends (${monitor.feeding} showed A feeding)`)
    t.ok(monitor.samples >= 20, `the monitor sampled throughout (${monitor.samples} samples)`)
    t.ok(monitor.failedPolls <= monitor.samples / 10, `few failed polls (${monitor.failedPolls})`)

    const a = await protocolDetails(lab.controlA, lab.sessionOnA)
    const b = await protocolDetails(lab.controlB, lab.sessionOnB)
    t.equal(a.bgpDetails?.state, 'Established')
    t.ok(sameSince(a.since, baseA.since), `A's since unchanged (${baseA.since.raw} → ${a.since.raw})`)
    t.equal(b.bgpDetails?.state, 'Established')
    t.ok(sameSince(b.since, baseB.since), `B's since unchanged (${baseB.since.raw} → ${b.since.raw})`)

    // B logs every state change and session event of its protocol (debug { states, events }).
    const bLog = (await readFile(lab.bLogFile, 'utf8')).slice(bLogBefore)
    const sessionEvents = bLog.split('\n').filter((l) => l.includes(`${lab.sessionOnB}:`))
    t.same(sessionEvents, [], "BIRD B's log shows no session event after it was established")

    t.ok(v4Changed >= 30, `bird.cfg changed for ${v4Changed} of 50 changes`)
    t.ok(v6Changed >= 5, `bird6.cfg changed for ${v6Changed} of 50 changes`)
    t.ok(anyAccepted >= 35, `BIRD took a new config for ${anyAccepted} of 50 changes (replies: ${JSON.stringify(Object.fromEntries(replies))})`)
    t.ok(anyReconfigured >= 25, `BIRD answered 0003 Reconfigured for ${anyReconfigured} of 50 changes`)
    const statusAfter = await birdStatus(lab.controlA)
    t.ok(timestampMs(statusAfter.lastReconfiguration) - timestampMs(statusBefore.lastReconfiguration) > BIRD_TIME_JITTER_MS, `BIRD A did reconfigure (${statusBefore.lastReconfiguration.raw} → ${statusAfter.lastReconfiguration.raw})`)
    t.ok(sameBirdTime(statusAfter.lastReboot, statusBefore.lastReboot), 'BIRD A never restarted')
    t.comment(`ConfigApplier.apply (read + stage + fsync + bird -p + rename + configure) seconds, per applied family: ${stats(applySeconds.map((s) => Math.round(s * 1000) / 1000))}`)
    t.comment(`etcd write → onResult ms: ${stats(endToEndMs)}`)
  })

  await t.test('4. an unchanged snapshot writes nothing and reloads nothing', async (t) => {
    const [status, status6] = await Promise.all([settledAfterReconfiguration(lab.controlA), settledAfterReconfiguration(lab.controlA6)])
    const files = { v4: await fileIdentity(paths.birdConfig), v6: await fileIdentity(paths.bird6Config) }
    const reloads = { ...lab.reloads }
    const from = lab.results.results.length

    // Identical JSON re-put: a new revision and a new snapshot, the same rendered text.
    const nodeB = nodeResource(NODE_B, { ipv4Address: `10.99.${NET}.2/24` })
    const same = await lab.change(() => lab.put(nodeB))
    t.same([same.result.v4, same.result.v6], [{ result: 'unchanged' }, { result: 'unchanged' }], 'identical re-put: both unchanged')

    // Keys outside the synced prefixes produce no snapshot at all; a re-put after them
    // proves they were seen (the watch delivers in revision order).
    await lab.putRaw('/calico/resources/v3/projectcalico.org/caliconodestatuses/node-a', '{"irrelevant":true}')
    await lab.putRaw('/calico/felix/v2/no-region/host/node-a/status', '{"time":"now"}')
    const fence = await lab.change(() => lab.put(nodeB))
    t.same([fence.result.v4, fence.result.v6], [{ result: 'unchanged' }, { result: 'unchanged' }], 'fence: both unchanged')
    t.ok(lab.results.results.slice(from).every((r) => r.v4.result === 'unchanged' && r.v6.result === 'unchanged'), 'every result since: unchanged')

    t.same(await fileIdentity(paths.birdConfig), files.v4, 'bird.cfg: same inode, mtime and size (no write)')
    t.same(await fileIdentity(paths.bird6Config), files.v6, 'bird6.cfg: same inode, mtime and size (no write)')
    t.same(lab.reloads, reloads, 'no configure request sent')
    t.ok(sameBirdTime((await birdStatus(lab.controlA)).lastReconfiguration, status.lastReconfiguration), 'bird: last reconfiguration unchanged')
    t.ok(sameBirdTime((await birdStatus(lab.controlA6)).lastReconfiguration, status6.lastReconfiguration), 'bird6: last reconfiguration unchanged')
  })

  await t.test('control: a change that does concern the session restarts it, and the checks above see that', async (t) => {
    const baseA = await sessionAgedAtLeast(lab.controlA, lab.sessionOnA, 3)
    const bLogBefore = (await readFile(lab.bLogFile, 'utf8')).length
    const header = new RegExp(`^protocol bgp ${lab.sessionOnA} `)
    const textBefore = protocolText(await readFile(paths.birdConfig, 'utf8'), header)
    // The mesh's graceful restart time is one of the session's own options.
    const { result } = await lab.change(() => lab.put(resource('BGPConfiguration', 'default', { nodeMeshMaxRestartTime: '90s' })))
    t.match(result.v4, { result: 'applied' })
    const textAfter = protocolText(await readFile(paths.birdConfig, 'utf8'), header)
    t.not(textAfter, textBefore, `${lab.sessionOnA}'s own text changed`)
    t.match(textAfter, 'graceful restart time 90;')
    const restarted = await pollUntil('the session to come back after its restart', async () => {
      const a = await protocolDetails(lab.controlA, lab.sessionOnA)
      return a.bgpDetails?.state === 'Established' && !sameSince(a.since, baseA.since) ? a : undefined
    }, { timeoutMs: 60_000, intervalMs: 200 })
    t.pass(`A's since moved ${baseA.since.raw} → ${restarted.since.raw}`)
    const events = (await readFile(lab.bLogFile, 'utf8')).slice(bLogBefore).split('\n').filter((l) => l.includes(`${lab.sessionOnB}:`))
    t.ok(events.some((l) => l.includes('BGP session established')), "B's log shows the session coming back", { events })
  })
})
