import t, { type Test } from 'tap'
import { readFile, stat } from 'node:fs/promises'
import { pollUntil } from '../../helpers/netns.js'
import {
  birdStatus,
  keyOf,
  protocolDetails,
  resource,
  sameBirdTime,
  sameSince,
  sessionAgedAtLeast,
  settledAfterReconfiguration,
  startApplyLab,
  type ApplyLab,
} from './apply-lab.js'

/**
 * Issue "BIRD configuration", part 3 (Apply), must-show 6: while etcd is frozen or gone the
 * pipeline renders nothing (no partial or empty view ever reaches BIRD), BIRD keeps running
 * its last good config, and once etcd is back the next change is applied.
 */
const NET = 63
const OUTAGE_MS = 10_000

async function fileIdentity(path: string): Promise<string> {
  const st = await stat(path)
  return JSON.stringify({ ino: st.ino, mtimeMs: st.mtimeMs, text: await readFile(path, 'utf8') })
}

/** For `ms`, every half second: no result, no configure, same files, BIRD and session as they were. */
async function expectQuiet(t: Test, lab: ApplyLab, ms: number): Promise<void> {
  const since = (await sessionAgedAtLeast(lab.controlA, lab.sessionOnA, 3)).since
  await settledAfterReconfiguration(lab.controlA)
  const status = await birdStatus(lab.controlA)
  const files = { v4: await fileIdentity(lab.paths.birdConfig), v6: await fileIdentity(lab.paths.bird6Config) }
  const results = lab.results.results.length
  const reloads = { ...lab.reloads }
  const problems: string[] = []
  let samples = 0
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    samples++
    if (lab.results.results.length !== results) problems.push(`a reconcile ran: ${JSON.stringify(lab.results.results.at(-1))}`)
    if (JSON.stringify(lab.reloads) !== JSON.stringify(reloads)) problems.push(`configure sent: ${JSON.stringify(lab.reloads)}`)
    if ((await fileIdentity(lab.paths.birdConfig)) !== files.v4) problems.push('bird.cfg changed')
    if ((await fileIdentity(lab.paths.bird6Config)) !== files.v6) problems.push('bird6.cfg changed')
    const s = await birdStatus(lab.controlA)
    if (!sameBirdTime(s.lastReconfiguration, status.lastReconfiguration) || !sameBirdTime(s.lastReboot, status.lastReboot)) {
      problems.push(`BIRD reconfigured or restarted: ${JSON.stringify(s)}`)
    }
    const p = await protocolDetails(lab.controlA, lab.sessionOnA)
    if (p.bgpDetails?.state !== 'Established' || !sameSince(p.since, since)) problems.push(`session ${p.info} since ${p.since.raw}`)
    if (problems.length > 0) break
    await new Promise((r) => setTimeout(r, 500))
  }
  t.same(problems, [], `nothing written, nothing reloaded, BIRD and the session untouched for ${ms / 1000} s (${samples} samples)`)
  t.equal((await birdStatus(lab.controlA)).state, 'running', 'BIRD keeps running')
}

t.test('apply pipeline against real BIRD: etcd outages', async (t) => {
  const lab = await startApplyLab(t, NET)
  let host = 50
  const addPeer = async () => {
    const h = host++
    const peer = resource('BGPPeer', `global-${h}`, { peerIP: `10.99.${NET}.${h}`, asNumber: 65001 })
    // The writer's own connection may still be backing off from the outage: retry until etcd takes it.
    const change = await pollUntil(`etcd to take the write of ${keyOf(peer)}`, () => lab.change(() => lab.put(peer)), {
      timeoutMs: 60_000,
      intervalMs: 250,
    })
    return { ...change, name: `Global_10_99_${NET}_${h}` }
  }

  await t.test('etcd frozen (SIGSTOP): nothing happens; thawed, changes flow again', async (t) => {
    const pid = lab.etcd.pid
    t.ok(pid, 'etcd runs')
    process.kill(pid!, 'SIGSTOP')
    let thawed = false
    const thaw = () => {
      if (!thawed) process.kill(pid!, 'SIGCONT')
      thawed = true
    }
    t.teardown(thaw)
    await expectQuiet(t, lab, OUTAGE_MS)
    thaw()
    const { result, name, ms } = await addPeer()
    t.match(result.v4, { result: 'applied', reload: 'reconfigured' }, `a change after the thaw is applied (${ms} ms)`)
    t.match(await readFile(lab.paths.birdConfig, 'utf8'), `protocol bgp ${name} `)
  })

  await t.test('etcd killed: nothing happens; restarted on the same data dir, changes flow again', async (t) => {
    const statusesBefore = lab.syncStatuses.length
    await lab.etcd.kill()
    await pollUntil('the syncer to notice the outage', () => lab.syncStatuses.slice(statusesBefore).includes('disconnected'))
    await expectQuiet(t, lab, OUTAGE_MS)
    t.ok(lab.syncStatuses.slice(statusesBefore).includes('disconnected'), 'the syncer reported the outage')

    await lab.etcd.start()
    await pollUntil('the syncer to be in sync again', () => lab.syncStatuses.at(-1) === 'in-sync', { timeoutMs: 60_000 })
    const { result, name, ms } = await addPeer()
    t.match(result.v4, { result: 'applied', reload: 'reconfigured' }, `a change after etcd is back is applied (${ms} ms)`)
    t.match(await readFile(lab.paths.birdConfig, 'utf8'), `protocol bgp ${name} `)
    const a = await protocolDetails(lab.controlA, lab.sessionOnA)
    t.equal(a.bgpDetails?.state, 'Established', 'A↔B session Established throughout')
  })

  await t.test('a change made while the agent was cut off is applied when it reconnects', async (t) => {
    const from = lab.results.results.length
    await lab.etcd.stop()
    // The same data dir on another port: the agent still sees an outage while the operator writes.
    const hidden = await lab.etcd.startHidden()
    const peer = resource('BGPPeer', 'global-99', { peerIP: `10.99.${NET}.99`, asNumber: 65001 })
    await hidden.etcdctl(['put', keyOf(peer), JSON.stringify(peer)])
    await hidden.stop()
    t.equal(lab.results.results.length, from, 'nothing applied while cut off')
    await lab.etcd.start()
    const r = await pollUntil('the missed change to be applied', () =>
      lab.results.results.slice(from).find((x) => x.v4.result === 'applied'),
      { timeoutMs: 60_000 },
    )
    t.match(r.v4, { result: 'applied', reload: 'reconfigured' })
    t.match(await readFile(lab.paths.birdConfig, 'utf8'), `protocol bgp Global_10_99_${NET}_99 `)
  })
})
