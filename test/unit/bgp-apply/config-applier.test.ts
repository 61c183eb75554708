import t from 'tap'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigApplier, type ReloadResult } from '../../../src/bgp/apply/config-applier.js'
import { checkConfig } from '../../../src/bgp/apply/config-check.js'
import { ConfigRejectedError, parseBirdLocation } from '../../../src/bgp/apply/bird-error.js'
import { silentLogger } from '../../../src/log.js'
import { birdFixture } from '../../helpers/fixtures.js'

// Real `bird -p` does the checking; only the reload channel is recorded here (the
// control-socket reload is exercised against a live BIRD in the integration tests).
const VALID = 'router id 10.99.0.1;\nprotocol device { scan time 10; }\n'
const VALID2 = 'router id 10.99.0.1;\nprotocol device { scan time 11; }\n'
const BROKEN = 'router id 10.99.0.1;\nprotocol device { scan time ; }\n'

function setup(reply: () => Promise<ReloadResult> = async () => 'reconfigured') {
  const dir = mkdtempSync(join(tmpdir(), 'falconer-apply-'))
  const path = join(dir, 'bird.cfg')
  const reloads: string[] = []
  const applier = new ConfigApplier(path, 4, {
    check: checkConfig,
    reload: async (file) => {
      reloads.push(file)
      return reply()
    },
  }, silentLogger)
  return { dir, path, reloads, applier }
}

t.test('first apply writes, checks and reloads; the same text again does nothing', async (t) => {
  const { path, reloads, applier, dir } = setup()
  const first = await applier.apply(VALID, { holdsSecret: false })
  t.match(first, { result: 'applied', wrote: true, reload: 'reconfigured' })
  t.equal(readFileSync(path, 'utf8'), VALID)
  t.equal(statSync(path).mode & 0o777, 0o644)
  const mtime = statSync(path).mtimeMs
  const second = await applier.apply(VALID, { holdsSecret: false })
  t.same(second, { result: 'unchanged' })
  t.same(reloads, [path], 'exactly one reload')
  t.equal(statSync(path).mtimeMs, mtime, 'no write for unchanged output')
  t.same(readdirSync(dir), ['bird.cfg'], 'no temp files left behind')
})

t.test('a config holding a password is written 0600', async (t) => {
  const { path, applier } = setup()
  await applier.apply(VALID, { holdsSecret: true })
  t.equal(statSync(path).mode & 0o777, 0o600)
})

t.test('a config BIRD rejects never replaces the last good one', async (t) => {
  const { path, reloads, applier, dir } = setup()
  await applier.apply(VALID, { holdsSecret: false })
  const out = await applier.apply(BROKEN, { holdsSecret: false })
  t.equal(out.result, 'rejected')
  if (out.result !== 'rejected') return
  t.equal(out.error.stage, 'check')
  t.match(out.error.location, { file: path, line: 2, column: 29 })
  t.match(out.error.message, new RegExp(`BIRD rejected the config at ${path}:2:29: syntax error`))
  t.equal(readFileSync(path, 'utf8'), VALID, 'last good config still in place')
  t.equal(reloads.length, 1, 'no reload for a rejected config')
  t.same(readdirSync(dir), ['bird.cfg'], 'the staged file was removed')
})

t.test('a file already on disk but never confirmed is reloaded once, not rewritten', async (t) => {
  const { path, reloads, applier } = setup()
  writeFileSync(path, VALID)
  const mtime = statSync(path).mtimeMs
  t.match(await applier.apply(VALID, { holdsSecret: false }), { result: 'applied', wrote: false })
  t.equal(statSync(path).mtimeMs, mtime)
  t.same(await applier.apply(VALID, { holdsSecret: false }), { result: 'unchanged' })
  t.equal(reloads.length, 1)
})

t.test('configure refused (8002) restores the previous file', async (t) => {
  let refuse = false
  const { path, applier } = setup(async () => {
    if (refuse) throw new ConfigRejectedError('configure', '8002 x:1:1 boom', parseBirdLocation('x:1:1 boom'))
    return 'reconfigured'
  })
  await applier.apply(VALID, { holdsSecret: false })
  refuse = true
  const out = await applier.apply(VALID2, { holdsSecret: false })
  t.match(out, { result: 'rejected', error: { stage: 'configure' } })
  t.equal(readFileSync(path, 'utf8'), VALID)
})

t.test('a reload that fails for another reason is retried on the next apply', async (t) => {
  let fail = true
  const { applier, reloads } = setup(async () => {
    if (fail) throw new Error('timeout')
    return 'reconfigured'
  })
  await t.rejects(applier.apply(VALID, { holdsSecret: false }), /timeout/)
  fail = false
  t.match(await applier.apply(VALID, { holdsSecret: false }), { result: 'applied', wrote: false })
  t.equal(reloads.length, 2)
})

t.test('BIRD location parsing covers bird -p and the control socket forms', async (t) => {
  const p = birdFixture
  t.same(parseBirdLocation(p('bird_p_invalid_syntax.txt')), { file: '/etc/bird/lab/bad.conf', line: 60, column: 3, message: 'syntax error' })
  t.same(parseBirdLocation(p('bird_p_invalid_semantic.txt')), { file: '/etc/bird/lab/bad2.conf', line: 2, column: 77, message: 'No such filter.' })
  t.same(parseBirdLocation(p('bird_p_invalid_noneighbor.txt')), { file: '/etc/bird/lab/bad3.conf', line: 2, column: 34, message: 'Neighbor must be configured' })
  t.same(parseBirdLocation('/etc/bird/lab/bad.conf:60:3 syntax error'), { file: '/etc/bird/lab/bad.conf', line: 60, column: 3, message: 'syntax error' })
  t.equal(parseBirdLocation('rc=0'), undefined)
})
