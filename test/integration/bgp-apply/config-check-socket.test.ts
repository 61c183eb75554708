import t from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigRejectedError } from '../../../src/bgp/apply/bird-error.js'
import { ConfigApplier } from '../../../src/bgp/apply/config-applier.js'
import { checkConfig, checkConfigThroughBird, type Family } from '../../../src/bgp/apply/config-check.js'
import { reloadBird } from '../../../src/bgp/apply/bird-reload.js'
import { BirdControl } from '../../../src/bird/control/index.js'
import { silentLogger } from '../../../src/log.js'
import { createNetns, pollUntil, removeStaleNamespaces, spawnInNetns } from '../../helpers/netns.js'
import { birdStatus, sameBirdTime, settledAfterReconfiguration } from './apply-lab.js'

/**
 * A candidate config is checked by the BIRD that runs (`configure check "FILE"` on its
 * socket) while it is up, and by spawning `bird -p` only when it is not; either way a
 * rejected config reports BIRD's file:line:col under the real file's name and never
 * replaces the running one. The spawn path is the real `bird -p`, only counted here.
 */
const GOOD = 'router id 10.99.65.1;\ntimeformat base iso long;\nprotocol device { scan time 10; }\n'
const GOOD2 = GOOD.replace('scan time 10', 'scan time 11')
const BROKEN = `${GOOD}protocol static {\n  route 10.0.0.0/33 blackhole;\n}\n`

t.test('configure check through the running BIRD, bird -p when it is down', async (t) => {
  await removeStaleNamespaces('cs')
  const ns = await createNetns(t, 'cs')
  const dir = await mkdtemp(join(tmpdir(), 'fa-cs-check-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const socket = join(dir, 'bird.ctl')
  const files = { good: join(dir, 'good.cfg'), good2: join(dir, 'good2.cfg'), bad: join(dir, 'bad.cfg.tmp') }
  await writeFile(files.good, GOOD)
  await writeFile(files.good2, GOOD2)
  await writeFile(files.bad, BROKEN)
  const shown = join(dir, 'bird.cfg')
  const control = new BirdControl({ socketPath: socket, timeoutMs: 30_000 })
  t.teardown(() => control.close())
  const spawned: string[] = []
  const spawnCheck = (file: string, family: Family, displayName: string) => {
    spawned.push(file)
    return checkConfig(file, family, displayName)
  }
  const rejection = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err)

  // BIRD down: bird -p decides.
  t.equal(await checkConfigThroughBird(control, files.good, 4, files.good, spawnCheck), 'spawn', 'no socket: bird -p')
  const offline = await rejection(checkConfigThroughBird(control, files.bad, 4, shown, spawnCheck))
  t.type(offline, ConfigRejectedError, 'bird -p rejects the broken file')
  if (offline instanceof ConfigRejectedError) t.same(offline.location, { file: shown, line: 5, column: 18, message: offline.location?.message }, 'at its file:line:col, under the real name')
  t.same(spawned, [files.good, files.bad])

  // BIRD up: the daemon checks, nothing is spawned.
  const bird = spawnInNetns(t, ns, 'bird', ['-f', '-c', files.good, '-s', socket, '-P', join(dir, 'bird.pid')])
  await pollUntil('BIRD to run', async () => (await birdStatus(control).catch(() => undefined))?.state === 'running', { timeoutMs: 30_000, intervalMs: 100 })
  spawned.length = 0
  t.equal(await checkConfigThroughBird(control, files.good2, 4, files.good2, spawnCheck), 'socket', 'a valid file: 0020 from BIRD')
  const online = await rejection(checkConfigThroughBird(control, files.bad, 4, shown, spawnCheck))
  t.type(online, ConfigRejectedError, '8002 from BIRD')
  if (online instanceof ConfigRejectedError && offline instanceof ConfigRejectedError) {
    t.equal(online.stage, 'check')
    t.same(online.location, { ...offline.location, message: online.location?.message }, 'the same file:line:col as bird -p, under the real name')
    t.match(online.message, `BIRD rejected the config at ${shown}:5:18`)
    t.notMatch(online.message, 'bad.cfg.tmp', 'the staged name never reaches the operator')
  }
  t.same(spawned, [], 'no bird -p while BIRD runs')

  // The applier with the socket check: a rejected config leaves file and BIRD untouched.
  const path = join(dir, 'applied.cfg')
  const applier = new ConfigApplier(path, 4, {
    check: async (file, family, displayName) => {
      await checkConfigThroughBird(control, file, family, displayName, spawnCheck)
    },
    reload: (file) => reloadBird(control, file),
  }, silentLogger)
  t.match(await applier.apply(GOOD2, { holdsSecret: false }), { result: 'applied', wrote: true, reload: 'reconfigured' })
  const before = await settledAfterReconfiguration(control)
  const out = await applier.apply(BROKEN.replace('scan time 10', 'scan time 11'), { holdsSecret: false })
  t.equal(out.result, 'rejected')
  if (out.result === 'rejected') t.match(out.error.location, { file: path, line: 5, column: 18 }, 'file:line:col of the real path')
  t.equal(await readFile(path, 'utf8'), GOOD2, 'the last good config stays in place')
  const after = await birdStatus(control)
  t.ok(sameBirdTime(after.lastReconfiguration, before.lastReconfiguration), 'BIRD was not reconfigured')
  t.same(spawned, [], 'checked by the running BIRD')

  // BIRD gone again: back to bird -p.
  await bird.stop()
  t.equal(await checkConfigThroughBird(control, files.good, 4, files.good, spawnCheck), 'spawn', 'BIRD stopped: bird -p')
  t.same(spawned, [files.good])
})
