import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  isAlive, isFalconer, readPidFile, removePidFile, runningAgent, waitForExit, writePidFile,
} from '../../../src/node/lifecycle/agent-process.js'

t.test('pid files: written atomically, read strictly, removed only by their owner', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-pid-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'run', 'falconer.pid')
  t.equal(await readPidFile(file), undefined, 'no file')
  await writePidFile(file, 4242)
  t.equal(await readFile(file, 'utf8'), '4242\n')
  t.equal(await readPidFile(file), 4242)
  await removePidFile(file, 1234)
  t.equal(await readPidFile(file), 4242, 'another pid does not remove it')
  await removePidFile(file, 4242)
  t.equal(await readPidFile(file), undefined)
  for (const junk of ['', 'abc', '12 34', '1', '-5']) {
    await writeFile(file, junk)
    t.equal(await readPidFile(file), undefined, `"${junk}" is not a pid`)
  }
})

t.test('a live falconer process is running; a dead or foreign pid is not', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-pid-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'falconer.pid')
  // A stand-in whose command line names falconer, as the real agent's does.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'falconer-test-agent'], { stdio: 'ignore' })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const pid = child.pid!
  t.ok(isAlive(pid))
  t.ok(isFalconer(pid))
  await writePidFile(file, pid)
  t.equal(await runningAgent(file), pid)

  // A live process that is not falconer (a reused pid) does not count.
  const other = spawn('sleep', ['600'], { stdio: 'ignore' })
  t.teardown(() => {
    if (other.exitCode === null && other.signalCode === null) other.kill('SIGKILL')
  })
  t.ok(isAlive(other.pid!))
  t.notOk(isFalconer(other.pid!))
  await writePidFile(file, other.pid!)
  t.equal(await runningAgent(file), undefined, 'judged by the command line')

  child.kill('SIGTERM')
  await exited
  t.equal(await waitForExit(pid, 10_000), true)
  t.notOk(isAlive(pid))
  await writePidFile(file, pid)
  t.equal(await runningAgent(file), undefined, 'a stale pid file')
})

t.test('waitForExit gives up after its bound', async (t) => {
  t.equal(await waitForExit(process.pid, 200, 50), false)
})
