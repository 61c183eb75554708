import t, { type Test } from 'tap'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigApplier } from '../../../src/bgp/apply/config-applier.js'
import { Reconciler, type Applier } from '../../../src/bgp/reconciler.js'
import { watchSecrets } from '../../../src/bgp/secrets.js'
import { loadTemplates } from '../../../src/bgp/render/index.js'
import { silentLogger } from '../../../src/log.js'
import { pollUntil } from '../../helpers/netns.js'
import { node, peer, snapshot } from '../bgp/builders.js'

/**
 * Two things make the reconciler read secrets again: the watch of the secrets directory
 * (which can miss a file made in a directory created a moment before) and its own re-read
 * timer while a secret is missing. Both only mark the reconciler dirty: a run in flight
 * is never joined by a second one, and after stop() neither starts anything.
 * Real files, real ConfigAppliers, the real watch; the appliers are wrapped to count
 * overlapping applies and can be held at a gate.
 */
const WITH_SECRET = snapshot({
  nodes: [node('a', { v4: '10.99.0.1/24', v6: 'fd99::1/64' })],
  peers: [peer('tor', { peerIP: '10.99.0.254', asNumber: 65001, password: { secretKeyRef: { name: 'tor', key: 'password' } } })],
})
const RECHECK_MS = 20

function setup(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'falconer-recheck-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const secretsDir = join(dir, 'secrets')
  const probe = { applies: 0, inFlight: 0, maxInFlight: 0, gate: Promise.resolve() as Promise<void> }
  const held = (family: 4 | 6): Applier => {
    const real = new ConfigApplier(join(dir, family === 4 ? 'bird.cfg' : 'bird6.cfg'), family, {
      check: async () => undefined,
      reload: async () => 'reconfigured',
    }, silentLogger)
    return {
      apply: async (text, opts) => {
        probe.applies++
        probe.maxInFlight = Math.max(probe.maxInFlight, ++probe.inFlight)
        try {
          await probe.gate
          return await real.apply(text, opts)
        } finally {
          probe.inFlight--
        }
      },
    }
  }
  let runs = 0
  const reconciler = new Reconciler({
    nodeName: 'a',
    secretsDir,
    templates: () => loadTemplates(),
    appliers: { v4: held(4), v6: held(6) },
    log: silentLogger,
    coalesceMs: 1,
    secretRecheckMs: RECHECK_MS,
    onResult: () => runs++,
  })
  t.teardown(() => reconciler.stop())
  return { dir, secretsDir, reconciler, probe, runs: () => runs, config: () => readFileSync(join(dir, 'bird.cfg'), 'utf8') }
}

/** A gate the test opens by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

t.test('the re-read timer and watch events during a run wait for it: one run at a time', async (t) => {
  const { secretsDir, reconciler, probe, runs, config } = setup(t)
  reconciler.submit(WITH_SECRET)
  await pollUntil('the first run', () => runs() >= 1, { timeoutMs: 10_000, intervalMs: 5 })
  t.match(config(), /disabled;/, 'held down while its secret is missing')

  const closeWatch = await watchSecrets(secretsDir, () => reconciler.refresh(), silentLogger)
  t.teardown(closeWatch)
  const held = gate()
  probe.gate = held.promise
  await pollUntil('a run held at the gate (the re-read timer started it)', () => probe.inFlight > 0, { timeoutMs: 10_000, intervalMs: 2 })
  // While it is held: the secret appears in a brand-new directory (watch events), more
  // re-read periods pass, and refreshes come in as a watch would send them.
  mkdirSync(join(secretsDir, 'tor'), { recursive: true, mode: 0o700 })
  writeFileSync(join(secretsDir, 'tor', 'password'), 'LateSecret1\n', { mode: 0o600 })
  for (let i = 0; i < 10; i++) {
    reconciler.refresh()
    await sleep(RECHECK_MS)
  }
  const runsWhileHeld = runs()
  held.open()
  probe.gate = Promise.resolve()
  await pollUntil('the password in bird.cfg', () => config().includes('password "LateSecret1";'), { timeoutMs: 15_000, intervalMs: 10 })
  await reconciler.idle()
  t.equal(probe.maxInFlight, 2, 'never more than one run in flight (its two families)')
  t.ok(runs() > runsWhileHeld, 'the events while it was held led to a run after it')
  t.notMatch(config(), /disabled;/, 'the session is no longer held down')
})

t.test('after stop(), neither the re-read timer nor the watch starts a run', async (t) => {
  const { secretsDir, reconciler, probe, runs } = setup(t)
  const watched: string[] = []
  const closeWatch = await watchSecrets(secretsDir, () => {
    watched.push('event')
    reconciler.refresh()
  }, silentLogger)
  const held = gate()
  probe.gate = held.promise
  reconciler.submit(WITH_SECRET)
  // stop() while a run that found the secret missing is still applying: the run must not
  // arm the re-read timer on its way out.
  await pollUntil('the first run at the gate', () => probe.inFlight > 0, { timeoutMs: 10_000, intervalMs: 2 })
  const stopped = reconciler.stop()
  held.open()
  await stopped
  await closeWatch()
  const applies = probe.applies
  const finished = runs()

  reconciler.refresh()
  mkdirSync(join(secretsDir, 'tor'), { recursive: true, mode: 0o700 })
  writeFileSync(join(secretsDir, 'tor', 'password'), 'LateSecret1\n', { mode: 0o600 })
  // many re-read periods, and well past the watch's write-settle time
  await sleep(RECHECK_MS * 25)
  t.equal(probe.applies, applies, 'no apply after stop()')
  t.equal(runs(), finished, 'no run reported after stop()')
  t.same(watched, [], 'the closed watch calls nothing')
})
