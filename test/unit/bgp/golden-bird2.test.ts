import t from 'tap'
import { execa } from 'execa'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIntent } from '../../../src/bgp/intent/index.js'
import { loadBird2Templates, renderBird2Config } from '../../../src/backends/bird2/render.js'
import { requireBird2 } from '../../helpers/bird2.js'
import { SCENARIOS } from './scenarios.js'

/**
 * Every golden scenario rendered for BIRD 2 (one file, both families) against checked-in
 * files, and every file through BIRD 2's own parser (`bird -p -c`).
 * `UPDATE_GOLDEN=1 npx tap test/unit/bgp/golden-bird2.test.ts` rewrites them.
 */
const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url))
const update = process.env.UPDATE_GOLDEN === '1'
const templates = loadBird2Templates()
const bird2 = requireBird2()

for (const scenario of SCENARIOS) {
  t.test(scenario.name, async (t) => {
    const intent = buildIntent(scenario.input)
    const text = renderBird2Config(intent, templates)
    const file = join(GOLDEN_DIR, `${scenario.name}.bird2.cfg`)
    if (update) writeFileSync(file, text)
    t.ok(existsSync(file), `${file} exists (run with UPDATE_GOLDEN=1 to create it)`)
    if (!existsSync(file)) return
    t.equal(text, readFileSync(file, 'utf8'), `matches ${file}`)
    t.equal(renderBird2Config(intent, templates), text, 'deterministic')
    t.ok(text.endsWith('\n') && !text.endsWith('\n\n'), 'ends with exactly one newline')
    t.notMatch(text, /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}/, 'no timestamps')
    // the same sessions as BIRD 1.6: one protocol per peer and family, same names
    for (const f of [intent.v4, intent.v6]) {
      if (!f.enabled) continue
      for (const p of f.peers) t.match(text, new RegExp(`^protocol bgp ${p.name} from bgp_template_v`, 'm'), p.name)
    }
    const r = await execa(bird2, ['-p', '-c', file], { reject: false, timeout: 60_000 })
    t.equal(r.exitCode, 0, `bird (BIRD 2) -p accepts ${file}: ${r.stderr}`)
  })
}

t.test('a file BIRD 2 refuses is reported with file:line:col', async (t) => {
  const file = join(GOLDEN_DIR, `${SCENARIOS[0]!.name}.bird2.cfg`)
  const dir = t.testdir({ 'bad.cfg': readFileSync(file, 'utf8').replace('local as 64512;', 'local as banana;') })
  const r = await execa(bird2, ['-p', '-c', join(dir, 'bad.cfg')], { reject: false })
  t.equal(r.exitCode, 1)
  t.match(r.stderr, /bad\.cfg:\d+:\d+ /)
})

t.test('the one file is 0600 material when any family carries a password', async (t) => {
  const { renderBird2 } = await import('../../../src/backends/bird2/backend.js')
  const passwords = SCENARIOS.find((s) => s.name === 'passwords')!.input
  const plain = SCENARIOS.find((s) => s.name === 'mesh-three-nodes')!.input
  const withSecret = renderBird2(passwords, templates)
  t.equal(withSecret.v4.holdsSecret, true)
  t.equal(withSecret.v6, withSecret.v4, 'one file, reported for both families')
  t.equal(renderBird2(plain, templates).v4.holdsSecret, false)
})
