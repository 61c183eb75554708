import t, { type Test } from 'tap'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigApplier, type ReloadResult } from '../../../src/bgp/apply/config-applier.js'
import { ApplyError, Reconciler, type ApplyFailure, type ReconcileResult } from '../../../src/bgp/reconciler.js'
import { loadTemplates } from '../../../src/bgp/render/index.js'
import { silentLogger } from '../../../src/log.js'
import { retryDelayMs } from '../../../src/retry-delay.js'
import { pollUntil } from '../../helpers/netns.js'
import { node, peer, snapshot } from '../bgp/builders.js'

/**
 * The reconciler retries an apply that threw, by itself: no new snapshot arrives in these
 * tests after the first one, as in a quiet cluster. Real appliers write real files; only
 * the `configure` channel to BIRD is a function the test controls (the same retry against
 * a live BIRD, with a full disk, is in the integration tests).
 */
const SNAPSHOT = snapshot({ nodes: [node('a', { v4: '10.99.0.1/24', v6: 'fd99::1/64' }), node('b', { v4: '10.99.0.2/24', v6: 'fd99::2/64' })] })

type Reload = (family: 4 | 6) => Promise<ReloadResult>

function setup(t: Test, reload: Reload, random = () => 0) {
  const dir = mkdtempSync(join(tmpdir(), 'falconer-retry-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const applier = (family: 4 | 6) =>
    new ConfigApplier(join(dir, family === 4 ? 'bird.cfg' : 'bird6.cfg'), family, {
      check: async () => undefined,
      reload: () => reload(family),
    }, silentLogger)
  const results: ReconcileResult[] = []
  const errors: { err: unknown; failure: ApplyFailure }[] = []
  const reconciler = new Reconciler({
    nodeName: 'a',
    secretsDir: join(dir, 'secrets'),
    templates: () => loadTemplates(),
    appliers: { v4: applier(4), v6: applier(6) },
    log: silentLogger,
    coalesceMs: 1,
    retry: { initialMs: 20, maxMs: 80 },
    random,
    onResult: (r) => results.push(r),
    onError: (err, failure) => errors.push({ err, failure }),
  })
  t.teardown(() => reconciler.stop())
  return { dir, reconciler, results, errors }
}

t.test('a configure that fails once is retried without any new event', async (t) => {
  let calls = 0
  const { reconciler, results, errors, dir } = setup(t, async (family) => {
    if (family === 4 && calls++ === 0) throw new Error('timeout waiting for BIRD')
    return 'reconfigured'
  })
  reconciler.submit(SNAPSHOT)
  const result = await pollUntil('a successful apply', () => results[0], { timeoutMs: 10_000, intervalMs: 5 })
  t.equal(errors.length, 1, 'one failure')
  t.same(errors[0]!.failure.families, [4], 'recorded for IPv4, the family that failed')
  t.match(errors[0]!.failure.message, /timeout waiting for BIRD/)
  t.ok(errors[0]!.err instanceof ApplyError)
  t.match((errors[0]!.err as ApplyError).applied.v6, { result: 'applied' }, 'IPv6 went through in the same run')
  t.match(result.v4, { result: 'applied', wrote: false }, 'the retry reloads the file written before')
  t.same(result.v6, { result: 'unchanged' })
  t.equal(reconciler.pendingFailure(), undefined, 'no failure pending after the retry')
  t.match(readFileSync(join(dir, 'bird.cfg'), 'utf8'), /router id 10\.99\.0\.1;/)
})

t.test('a failing IPv6 apply is recorded as IPv6, and stays pending while it fails', async (t) => {
  let failing = true
  const { reconciler, results, errors } = setup(t, async (family) => {
    if (family === 6 && failing) throw new Error('EIO')
    return 'reconfigured'
  })
  reconciler.submit(SNAPSHOT)
  await pollUntil('three failures', () => errors.length >= 3, { timeoutMs: 10_000, intervalMs: 5 })
  t.same(errors.map((e) => e.failure.families), [[6], [6], [6]])
  t.same(errors.map((e) => e.failure.attempts), [1, 2, 3], 'attempts counted')
  t.equal(new Set(errors.map((e) => e.failure.since)).size, 1, 'one streak, one start')
  t.match(reconciler.pendingFailure(), { families: [6], attempts: Number })
  t.equal(results.length, 0)
  failing = false
  const result = await pollUntil('a successful apply', () => results[0], { timeoutMs: 10_000, intervalMs: 5 })
  t.match(result.v6, { result: 'applied' })
  t.equal(reconciler.pendingFailure(), undefined)
})

t.test('an error before applying (rendering, secrets) counts for both families', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'falconer-retry-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  let broken = true
  const errors: ApplyFailure[] = []
  const results: ReconcileResult[] = []
  const reconciler = new Reconciler({
    nodeName: 'a',
    secretsDir: join(dir, 'secrets'),
    templates: () => {
      if (broken) throw new Error('templates unreadable')
      return loadTemplates()
    },
    appliers: {
      v4: new ConfigApplier(join(dir, 'bird.cfg'), 4, { check: async () => undefined, reload: async () => 'reconfigured' }, silentLogger),
      v6: new ConfigApplier(join(dir, 'bird6.cfg'), 6, { check: async () => undefined, reload: async () => 'reconfigured' }, silentLogger),
    },
    log: silentLogger,
    coalesceMs: 1,
    retry: { initialMs: 10, maxMs: 10 },
    onResult: (r) => results.push(r),
    onError: (_err, f) => errors.push(f),
  })
  t.teardown(() => reconciler.stop())
  reconciler.submit(SNAPSHOT)
  await pollUntil('a failure', () => errors[0], { timeoutMs: 10_000, intervalMs: 5 })
  t.same(errors[0]!.families, [4, 6])
  broken = false
  await pollUntil('recovery', () => results[0], { timeoutMs: 10_000, intervalMs: 5 })
  t.pass('recovered by itself')
})

t.test('retry delays grow, are capped, and are jittered', async (t) => {
  const seen: number[] = []
  const { reconciler, errors } = setup(t, async () => {
    throw new Error('down')
  })
  reconciler.submit(SNAPSHOT)
  await pollUntil('five failures', () => errors.length >= 5, { timeoutMs: 10_000, intervalMs: 5 })
  await reconciler.stop()
  for (const e of errors.slice(0, 5)) seen.push(e.failure.retryInMs)
  // random() = 0: half the nominal delay 20, 40, 80, 80, 80
  t.same(seen, [10, 20, 40, 40, 40])
  const policy = { initialMs: 1_000, maxMs: 60_000 }
  t.equal(retryDelayMs(policy, 1, () => 0), 500)
  t.equal(retryDelayMs(policy, 1, () => 0.999999), 1_000)
  t.equal(retryDelayMs(policy, 7, () => 0.5), 45_000, 'nominal 64 s capped to 60 s, then jittered')
  t.equal(retryDelayMs(policy, 5_000, () => 0), 30_000, 'huge streaks stay finite')
  const count = errors.length
  await new Promise((r) => setTimeout(r, 100))
  t.equal(errors.length, count, 'stop() cancels the pending retry')
})

t.test('a missing secret is read again by itself: the held-down session comes up with no event', async (t) => {
  const { reconciler, results, dir } = setup(t, async () => 'reconfigured')
  const withSecret = snapshot({
    nodes: [node('a', { v4: '10.99.0.1/24', v6: 'fd99::1/64' })],
    peers: [peer('tor', { peerIP: '10.99.0.254', asNumber: 65001, password: { secretKeyRef: { name: 'tor', key: 'password' } } })],
  })
  reconciler.submit(withSecret)
  await pollUntil('the first apply', () => results[0], { timeoutMs: 10_000, intervalMs: 5 })
  const config = () => readFileSync(join(dir, 'bird.cfg'), 'utf8')
  t.match(config(), /protocol bgp Global_10_99_0_254 [^}]*\n\s*disabled;/, 'held down while its secret is missing')
  // The secret appears; nothing tells the reconciler (no watch here, no new snapshot).
  mkdirSync(join(dir, 'secrets/tor'), { recursive: true, mode: 0o700 })
  writeFileSync(join(dir, 'secrets/tor/password'), 'LateSecret1\n', { mode: 0o600 })
  await pollUntil('the password in bird.cfg', () => config().includes('password "LateSecret1";'), { timeoutMs: 15_000, intervalMs: 50 })
  t.notMatch(config(), /disabled;/, 'the session is no longer held down')
})
