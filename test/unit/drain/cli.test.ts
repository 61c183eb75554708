import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseSettleTime } from '../../../src/cli/node-drain.js'
import { ensureBuilt, runCli } from '../../helpers/cli.js'

// `node drain`, `node undrain`, `node stop --drain`: the settle-time parser, the help text,
// and the errors an operator gets, from the real command line.

t.test('settle times', async (t) => {
  t.equal(parseSettleTime('30', '--wait'), 30_000)
  t.equal(parseSettleTime('0', '--wait'), 0)
  t.equal(parseSettleTime('45s', '--wait'), 45_000)
  t.equal(parseSettleTime('2m', '--wait'), 120_000)
  t.equal(parseSettleTime(' 5 ', 'FALCONER_DRAIN_ON_STOP'), 5_000)
  for (const bad of ['', 'abc', '-1', '1.5', '2h', '3601', '61m']) {
    t.throws(() => parseSettleTime(bad, '--wait'), { name: 'CliError', message: /^--wait ".*": expected a time between 0 and 3600 seconds/ }, JSON.stringify(bad))
  }
})

await ensureBuilt()
const prefix = await mkdtemp(join(tmpdir(), 'falconer-drain-cli-'))
t.teardown(() => rm(prefix, { recursive: true, force: true }))
const env = { FALCONER_PREFIX: prefix, ETCD_ENDPOINTS: 'http://127.0.0.1:1', NODENAME: 'node-1', FALCONER_DRAIN_ON_STOP: '' }

t.test('help', async (t) => {
  const drain = await runCli(['node', 'drain', '--help'], { env })
  t.equal(drain.code, 0)
  t.match(drain.stdout, /GRACEFUL_SHUTDOWN/)
  t.match(drain.stdout, /--wait=<SECONDS>/)
  t.match(drain.stdout, /--on-stop/)
  t.match(drain.stdout, /until `falconer node undrain`/)
  const undrain = await runCli(['node', 'undrain', '--help'], { env })
  t.match(undrain.stdout, /Undo `falconer node drain`/)
  const stop = await runCli(['node', 'stop', '--help'], { env })
  t.match(stop.stdout, /--drain/)
  t.match(stop.stdout, /graceful restart off/)
  const node = await runCli(['node', '--help'], { env })
  t.match(node.stdout, /drain/)
  t.match(node.stdout, /undrain/)
})

t.test('errors name the field and exit non-zero', async (t) => {
  const badWait = await runCli(['node', 'drain', '--wait=soon'], { env })
  t.equal(badWait.code, 1)
  t.match(badWait.stderr, /--wait "soon": expected a time between 0 and 3600 seconds/)
  const noAgent = await runCli(['node', 'drain'], { env })
  t.equal(noAgent.code, 1)
  t.match(noAgent.stderr, /No falconer agent is running on this node/)
  t.match(noAgent.stderr, new RegExp(join(prefix, 'var/run/calico/falconer.pid')), 'names where it looked')
  const waitAlone = await runCli(['node', 'stop', '--wait=5'], { env })
  t.equal(waitAlone.code, 1)
  t.match(waitAlone.stderr, /--wait: only with --drain/)
  const badEnv = await runCli(['node', 'drain', '--on-stop'], { env: { ...env, FALCONER_DRAIN_ON_STOP: 'yes' } })
  t.equal(badEnv.code, 1)
  t.match(badEnv.stderr, /FALCONER_DRAIN_ON_STOP "yes"/)
})

t.test('the unit stop path does nothing unless asked, and nothing when no agent runs', async (t) => {
  const off = await runCli(['node', 'drain', '--on-stop'], { env })
  t.equal(off.code, 0)
  t.equal(off.stdout, '', 'FALCONER_DRAIN_ON_STOP unset: silent')
  const on = await runCli(['node', 'drain', '--on-stop'], { env: { ...env, FALCONER_DRAIN_ON_STOP: '20' } })
  t.equal(on.code, 0, 'no agent: the stop goes on')
  t.match(on.stdout, /No falconer agent is running: nothing to drain/)
  const undrain = await runCli(['node', 'undrain'], { env })
  t.equal(undrain.code, 0)
  t.match(undrain.stdout, /Node was not drained; no agent is running/)
})
