import t from 'tap'
import { execa } from 'execa'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIntent } from '../../../src/bgp/intent/index.js'
import { renderGobgpConfig } from '../../../src/backends/gobgp/render.js'
import { SCENARIOS } from './scenarios.js'

/**
 * Every golden scenario rendered as gobgpd's TOML against checked-in files, and every
 * file through gobgpd's own reader (`gobgpd -d -f FILE`).
 * `UPDATE_GOLDEN=1 npx tap test/unit/bgp/golden-gobgp.test.ts` rewrites them.
 */
const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url))
const update = process.env.UPDATE_GOLDEN === '1'

for (const scenario of SCENARIOS) {
  t.test(scenario.name, async (t) => {
    const intent = buildIntent(scenario.input)
    const { text } = renderGobgpConfig(intent)
    const file = join(GOLDEN_DIR, `${scenario.name}.gobgp.toml`)
    if (update) writeFileSync(file, text)
    t.ok(existsSync(file), `${file} exists (run with UPDATE_GOLDEN=1 to create it)`)
    if (!existsSync(file)) return
    t.equal(text, readFileSync(file, 'utf8'), `matches ${file}`)
    t.equal(renderGobgpConfig(buildIntent(scenario.input)).text, text, 'deterministic')
    t.ok(text.endsWith('\n') && !text.endsWith('\n\n'), 'ends with exactly one newline')
    t.notMatch(text, /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}/, 'no timestamps')
    // the same sessions as BIRD, under the names operators know
    for (const f of [intent.v4, intent.v6]) {
      if (!f.enabled) continue
      for (const p of f.peers) t.match(text, `description = "${p.name}"`, p.name)
    }
    const r = await execa('gobgpd', ['-d', '-p', '-f', file], { reject: false, timeout: 60_000 })
    t.equal(r.exitCode, 0, `gobgpd -d accepts ${file}: ${r.stdout}${r.stderr}`)
  })
}
