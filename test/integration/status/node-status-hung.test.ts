import t, { type Test } from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureBuilt, runCli } from '../../helpers/cli.js'

/**
 * A control socket whose daemon hangs: connections are accepted and never answered (what
 * a SIGSTOPped BIRD's socket gives its clients; test/e2e/bird-hang.test.ts freezes real
 * BIRDs). Each connection and each close is written to `events` as "NAME open"/"NAME closed".
 */
async function hungSocket(t: Test, path: string, name: string, events: string[]): Promise<void> {
  const open = new Set<Socket>()
  const server = createServer((s) => {
    events.push(`${name} open`)
    open.add(s)
    s.on('close', () => {
      events.push(`${name} closed`)
      open.delete(s)
    })
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  t.teardown(async () => {
    for (const s of open) s.destroy()
    await new Promise((r) => server.close(r))
  })
}

// `--timeout` bounds node status's wait on the daemons: both are asked side by side, and
// one that did not answer is not asked again. It used to ask bird.ctl, wait out the
// timeout, then ask both again: two timeouts in a row for a hung BIRD 1.6 pair.
t.test('node status with both BIRDs hung asks each socket once, side by side, and says so', async (t) => {
  // A short directory: a socket path longer than 107 bytes is cut short by the kernel.
  const dir = await mkdtemp(join(tmpdir(), 'falconer-hung-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const events: string[] = []
  const bird = join(dir, 'bird.ctl')
  const bird6 = join(dir, 'bird6.ctl')
  await Promise.all([hungSocket(t, bird, 'bird', events), hungSocket(t, bird6, 'bird6', events), ensureBuilt()])
  const r = await runCli(['node', 'status', '--timeout=1', '--bird-socket', bird, '--bird6-socket', bird6])
  t.equal(r.code, 1)
  t.match(r.stdout, /Calico process is not running/)
  t.match(r.stderr, /BIRD is not answering \(bird: .*bird\.ctl.*; bird6: .*bird6\.ctl/)
  t.same(events.slice(0, 2).sort(), ['bird open', 'bird6 open'], `both asked before either gave up: ${events.join(', ')}`)
  t.same(events.filter((e) => e.endsWith('open')).sort(), ['bird open', 'bird6 open'], 'one connection to each socket')
})
