import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { BirdControl } from '../../../src/bird/control/index.js'
import { BirdSupervisor, birdDaemonSpecs, type DaemonExit } from '../../../src/bird/supervisor/index.js'
import { derivePaths, type Paths } from '../../../src/settings/paths.js'
import { execa } from 'execa'
import { createNetns, pollUntil, processState, removeStaleNamespaces, spawnInNetns, type Netns, type TeardownHost } from '../../helpers/netns.js'

const CONFIG = 'router id 10.99.1.1;\nprotocol device {}\n'

async function answers(socket: string): Promise<boolean> {
  const control = new BirdControl({ socketPath: socket, timeoutMs: 5_000 })
  try {
    const reply = await control.request('show status')
    return reply.lines.some((l) => l.text === 'Daemon is up and running')
  } catch {
    return false
  } finally {
    await control.close()
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function pidsIn(ns: Netns): Promise<number[]> {
  const { stdout } = await execa('ip', ['netns', 'pids', ns.name])
  return stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number)
}

async function lab(tt: TeardownHost): Promise<{ ns: Netns; paths: Paths }> {
  const ns = await createNetns(tt, 'sv')
  const dir = await mkdtemp(join(tmpdir(), 'fa-sv-'))
  tt.teardown(() => rm(dir, { recursive: true, force: true }))
  return { ns, paths: derivePaths(dir) }
}

async function writeConfig(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, CONFIG)
}

t.before(async () => {
  await removeStaleNamespaces('sv')
})

t.test('managed: starts BIRD in the namespace, restarts it after kill -9, stops it cleanly', async (t) => {
  const { ns, paths } = await lab(t)
  await writeConfig(paths.birdConfig)
  const supervisor = new BirdSupervisor({
    manage: true,
    daemons: birdDaemonSpecs(paths, ['bird']),
    wrap: ['ip', 'netns', 'exec', ns.name],
    backoff: { initialMs: 200, maxMs: 2_000 },
    stopGraceMs: 10_000,
  })
  const started: (number | undefined)[] = []
  const exited: DaemonExit[] = []
  supervisor.on('started', (name, pid) => name === 'bird' && started.push(pid))
  supervisor.on('exited', (name, exit) => name === 'bird' && exited.push(exit))
  t.teardown(() => supervisor.stop())
  supervisor.start()

  const first = await pollUntil('bird to run', () => supervisor.state('bird')?.pid, { timeoutMs: 60_000 })
  await pollUntil('bird to answer show status', () => answers(paths.birdSocket), { timeoutMs: 60_000 })
  // `ip netns exec` execs BIRD in place: the pid we hold is BIRD's own, inside the namespace.
  t.equal((await readFile(`/proc/${first}/comm`, 'utf8')).trim(), 'bird')
  t.ok((await pidsIn(ns)).includes(first), 'the pid runs inside the namespace')
  t.equal(Number((await readFile(paths.birdPid, 'utf8')).trim()), first, 'BIRD wrote its pid file')
  t.same(supervisor.state('bird'), { running: true, pid: first, restarts: 0 })
  t.same(started, [first])
  // Control sockets are not world-writable: anyone who can write it can reconfigure BIRD.
  const mode = await pollUntil('the control socket to be restricted', async () => {
    const m = (await stat(paths.birdSocket)).mode & 0o777
    return m === 0o660 ? m : undefined
  }, { timeoutMs: 30_000, intervalMs: 50 })
  t.ok((await stat(paths.birdSocket)).isSocket(), 'a Unix socket')
  t.equal(mode & 0o007, 0, `control socket mode ${mode.toString(8)}: nothing for others`)

  process.kill(first, 'SIGKILL')
  const second = await pollUntil(
    'bird to be restarted',
    () => {
      const s = supervisor.state('bird')
      return s?.running && s.pid !== first ? s.pid : undefined
    },
    { timeoutMs: 60_000 },
  )
  await pollUntil('restarted bird to answer show status', () => answers(paths.birdSocket), { timeoutMs: 60_000 })
  t.not(second, first, 'a new pid')
  t.notOk(alive(first), 'the killed BIRD is gone')
  const state = supervisor.state('bird')
  t.equal(state?.restarts, 1, 'restart counted')
  t.match(state?.lastExit, { code: null, signal: 'SIGKILL' })
  t.match(exited, [{ signal: 'SIGKILL', at: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/ }])
  t.same(started, [first, second])

  await supervisor.stop()
  t.notOk(alive(second), 'BIRD is gone after stop')
  t.notOk(existsSync(paths.birdSocket), 'control socket removed')
  t.notOk(existsSync(paths.birdPid), 'pid file removed')
  t.match(supervisor.state('bird'), { running: false, restarts: 1, lastExit: { signal: null, code: 0 } }, 'SIGTERM: BIRD exits 0')
  t.same(await pidsIn(ns), [], 'nothing left in the namespace')
})

t.test('managed: waits for the config file before starting', async (t) => {
  const { ns, paths } = await lab(t)
  const supervisor = new BirdSupervisor({
    manage: true,
    daemons: birdDaemonSpecs(paths, ['bird6']),
    wrap: ['ip', 'netns', 'exec', ns.name],
    configPollMs: 100,
  })
  t.teardown(() => supervisor.stop())
  supervisor.start()
  // Several config polls go by without a spawn.
  await new Promise((r) => setTimeout(r, 1_000))
  t.same(supervisor.state('bird6'), { running: false, restarts: 0 })
  t.same(await pidsIn(ns), [])

  await writeConfig(paths.bird6Config)
  const pid = await pollUntil('bird6 to run', () => supervisor.state('bird6')?.pid, { timeoutMs: 60_000 })
  await pollUntil('bird6 to answer', () => answers(paths.bird6Socket), { timeoutMs: 60_000 })
  t.equal((await readFile(`/proc/${pid}/comm`, 'utf8')).trim(), 'bird6')
  await supervisor.stop()
  t.notOk(alive(pid))
  t.notOk(existsSync(paths.bird6Socket))
})

t.test('unmanaged: never spawns, follows the control socket of a BIRD run by someone else', async (t) => {
  const { ns, paths } = await lab(t)
  await writeConfig(paths.birdConfig)
  await mkdir(paths.runDir, { recursive: true })
  const supervisor = new BirdSupervisor({
    manage: false,
    daemons: birdDaemonSpecs(paths, ['bird']),
    probeIntervalMs: 100,
  })
  const events: string[] = []
  supervisor.on('started', (name) => events.push(`started ${name}`))
  supervisor.on('exited', (name) => events.push(`exited ${name}`))
  t.teardown(() => supervisor.stop())
  supervisor.start()
  await new Promise((r) => setTimeout(r, 1_000))
  t.same(supervisor.state('bird'), { running: false, restarts: 0 }, 'no BIRD, nothing spawned')
  t.same(await pidsIn(ns), [], 'nothing runs in the namespace')

  const other = spawnInNetns(t, ns, 'bird', ['-f', '-c', paths.birdConfig, '-s', paths.birdSocket, '-P', paths.birdPid])
  await pollUntil('the observed bird to be seen', () => supervisor.state('bird')?.running, { timeoutMs: 60_000 })
  t.equal(supervisor.state('bird')?.pid, other.pid, 'pid read from the pid file')
  t.same(await pidsIn(ns), [other.pid], 'the supervisor started nothing itself')

  await other.stop()
  await pollUntil('the observed bird to be seen gone', () => supervisor.state('bird')?.running === false, { timeoutMs: 60_000 })
  t.same(events, ['started bird', 'exited bird'])

  const again = spawnInNetns(t, ns, 'bird', ['-f', '-c', paths.birdConfig, '-s', paths.birdSocket, '-P', paths.birdPid])
  await pollUntil('the observed bird to be back', () => supervisor.state('bird')?.running, { timeoutMs: 60_000 })
  t.equal(supervisor.state('bird')?.restarts, 1, 'answering again counts as a restart')
  await supervisor.stop()
  t.ok(alive(again.pid!), 'stopping an unmanaged supervisor leaves BIRD running')
  t.ok(await answers(paths.birdSocket))
})

t.test('managed: SIGKILL after the grace period when BIRD does not stop; its socket is removed', async (t) => {
  const { ns, paths } = await lab(t)
  await writeConfig(paths.birdConfig)
  const supervisor = new BirdSupervisor({
    manage: true,
    daemons: birdDaemonSpecs(paths, ['bird']),
    wrap: ['ip', 'netns', 'exec', ns.name],
    // Wide enough that the poll below sees SIGTERM pending before SIGKILL ends the
    // process, even when a loaded machine starves this test for seconds (1 s was not).
    stopGraceMs: 8_000,
  })
  t.teardown(() => supervisor.stop())
  supervisor.start()
  const pid = await pollUntil('bird to run', () => supervisor.state('bird')?.pid, { timeoutMs: 60_000 })
  await pollUntil('bird to answer', () => answers(paths.birdSocket), { timeoutMs: 60_000 })
  // A stopped process cannot act on SIGTERM; only SIGKILL ends it. SIGSTOP takes effect only
  // when BIRD next runs: a SIGTERM sent before that (a loaded machine) is handled first (the
  // lower signal), so nothing stays pending and BIRD merely stops with its shutdown flag set.
  process.kill(pid, 'SIGSTOP')
  await pollUntil('BIRD to be stopped', () => processState(pid) === 'T', { timeoutMs: 30_000, intervalMs: 20 })
  const stopping = supervisor.stop()
  // SIGTERM first: a stopped process keeps it pending (ShdPnd in /proc), and is still there.
  await pollUntil('SIGTERM pending on the stopped BIRD', () => pendingSignals(pid).has(15), { timeoutMs: 30_000, intervalMs: 20 })
  t.ok(alive(pid), 'not killed at once: BIRD got SIGTERM and its grace period first')
  await stopping
  t.notOk(alive(pid))
  t.match(supervisor.state('bird')?.lastExit, { signal: 'SIGKILL' })
  t.notOk(existsSync(paths.birdSocket), 'the socket BIRD left behind is removed')
  t.notOk(existsSync(paths.birdPid))
})

t.test('managed: a binary that cannot be started is retried with backoff, never counted as running', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fa-sv-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const paths = derivePaths(dir)
  await writeConfig(paths.birdConfig)
  const supervisor = new BirdSupervisor({
    manage: true,
    daemons: birdDaemonSpecs(paths, ['bird'], { bird: join(dir, 'no-such-bird') }),
    backoff: { initialMs: 50, maxMs: 100 },
  })
  const exits: DaemonExit[] = []
  supervisor.on('exited', (_name, exit) => exits.push(exit))
  t.teardown(() => supervisor.stop())
  supervisor.start()
  await pollUntil('three failed attempts', () => exits.length >= 3)
  await supervisor.stop()
  t.match(exits[0], { code: null, signal: null, error: /ENOENT/ })
  t.match(supervisor.state('bird'), { running: false, restarts: 0, lastExit: { error: /ENOENT/ } })
})

/** Signal numbers pending for the whole process (ShdPnd, a hex mask; bit n-1 = signal n). */
function pendingSignals(pid: number): Set<number> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const mask = BigInt(`0x${/^ShdPnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`)
  const out = new Set<number>()
  for (let n = 1; n <= 64; n++) if ((mask >> BigInt(n - 1)) & 1n) out.add(n)
  return out
}
