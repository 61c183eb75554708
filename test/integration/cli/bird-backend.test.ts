import t from 'tap'
import { ensureBuilt, runCli } from '../../helpers/cli.js'

/**
 * `--backend=bird` means "the BIRD this host has": a `bird` that is no BIRD, or none at all,
 * is refused before anything else happens, with the executable named and the setting to fix.
 */
await ensureBuilt()

t.test('FALCONER_BIRD_BIN naming something that is no BIRD', async (t) => {
  const r = await runCli(['bird', 'config', '--node', 'n1'], { env: { FALCONER_BIRD_BIN: '/bin/true', ETCD_ENDPOINTS: 'http://127.0.0.1:1' } })
  t.equal(r.code, 1)
  t.equal(r.stdout, '')
  t.match(r.stderr, /^Failed to execute command: BIRD executable \/bin\/true: --version printed no BIRD version: .*set FALCONER_BIRD_BIN or --bird-bin/)
})

t.test('--bird-bin naming a file that does not exist', async (t) => {
  const r = await runCli(['bird', 'config', '--node', 'n1', '--bird-bin', '/nonexistent/bird'], { env: { ETCD_ENDPOINTS: 'http://127.0.0.1:1' } })
  t.equal(r.code, 1)
  t.match(r.stderr, /^Failed to execute command: BIRD executable \/nonexistent\/bird: cannot run it/)
})
