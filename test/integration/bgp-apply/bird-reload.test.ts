import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigRejectedError } from '../../../src/bgp/apply/bird-error.js'
import { reloadBird } from '../../../src/bgp/apply/bird-reload.js'
import { BirdControl } from '../../../src/bird/control/index.js'
import { createNetns, pollUntil, removeStaleNamespaces, spawnInNetns } from '../../helpers/netns.js'
import { birdStatus, sameBirdTime, settledAfterReconfiguration } from './apply-lab.js'

/**
 * reloadBird against a real BIRD: every answer `configure "FILE"` can get. BIRD runs in
 * its own namespace with no kernel protocol, so its routes never leave its memory.
 */
const base = 'router id 10.99.64.1;\ntimeformat base iso long;\nprotocol device { scan time 10; }\n'
function withStatic(routes: number): string {
  const lines: string[] = []
  for (let i = 0; i < routes; i++) lines.push(`  route 10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 blackhole;`)
  return `${base}protocol static many {\n${lines.join('\n')}\n}\n`
}

t.test('reloadBird: every answer BIRD gives to configure', async (t) => {
  await removeStaleNamespaces('ap')
  const ns = await createNetns(t, 'ap')
  const dir = await mkdtemp(join(tmpdir(), 'fa-ap-reload-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const socket = join(dir, 'bird.ctl')
  const files = { big: join(dir, 'big.cfg'), small: join(dir, 'small.cfg'), other: join(dir, 'other.cfg'), bad: join(dir, 'bad.cfg') }
  await writeFile(files.big, withStatic(200_000))
  await writeFile(files.small, base)
  await writeFile(files.other, base.replace('scan time 10', 'scan time 11'))
  await writeFile(files.bad, `${base}protocol static { route 10.0.0.0/33 blackhole; }\n`)
  const control = new BirdControl({ socketPath: socket, timeoutMs: 60_000 })
  t.teardown(() => control.close())

  t.equal(await reloadBird(control, files.small), 'not-running', 'no socket: not running (BIRD reads the file when it starts)')

  spawnInNetns(t, ns, 'bird', ['-f', '-c', files.big, '-s', socket, '-P', join(dir, 'bird.pid')])
  await pollUntil('BIRD to load 200k static routes', async () => (await birdStatus(control)).state === 'running', { timeoutMs: 120_000, intervalMs: 250 })

  // Dropping a protocol with many routes: BIRD answers at once and flushes in the background;
  // a configure while that runs is queued behind it.
  t.equal(await reloadBird(control, files.small, 60_000), 'in-progress', '0004 while removed protocols shut down')
  const second = await reloadBird(control, files.other, 60_000)
  t.ok(second === 'queued' || second === 'reconfigured', `0005 queued behind it (or 0003 when the flush already ended): ${second}`)
  t.comment(`second configure answered: ${second}`)
  await pollUntil('BIRD to settle', async () => (await birdStatus(control)).state === 'running', { timeoutMs: 60_000 })
  t.equal(await reloadBird(control, files.other), 'reconfigured', '0003 when nothing is in progress')

  const good = await settledAfterReconfiguration(control)
  const rejected = await reloadBird(control, files.bad).then(
    () => undefined,
    (err: unknown) => err,
  )
  t.type(rejected, ConfigRejectedError, '8002 → ConfigRejectedError')
  if (rejected instanceof ConfigRejectedError) {
    t.equal(rejected.stage, 'configure')
    t.match(rejected.location, { file: files.bad, line: 4, column: Number }, "BIRD's file:line:col")
  }
  const after = await birdStatus(control)
  t.equal(after.state, 'running', 'BIRD keeps running')
  t.ok(sameBirdTime(after.lastReconfiguration, good.lastReconfiguration), 'on its previous config (no reconfiguration)')
})
