import t from 'tap'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIntent } from '../../../src/bgp/intent/index.js'
import { loadTemplates, renderBirdConfig } from '../../../src/bgp/render/index.js'
import { birdCheckFiles } from './bird-check.js'
import { SCENARIOS } from './scenarios.js'

/**
 * Rendered configs against checked-in files. `UPDATE_GOLDEN=1 npx tap test/unit/bgp/golden.test.ts`
 * rewrites them; review the diff. Every golden file must also pass BIRD's own parser.
 */
const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url))
const update = process.env.UPDATE_GOLDEN === '1'
const templates = loadTemplates()

const files: { file: string; family: 4 | 6 }[] = []

for (const scenario of SCENARIOS) {
  t.test(scenario.name, async (t) => {
    const intent = buildIntent(scenario.input)
    t.same(intent.problems, scenario.problems ?? [], 'problems')
    for (const family of [4, 6] as const) {
      const text = renderBirdConfig(family === 4 ? intent.v4 : intent.v6, family, templates)
      const file = join(GOLDEN_DIR, `${scenario.name}.bird${family === 6 ? '6' : ''}.cfg`)
      files.push({ file, family })
      if (update) writeFileSync(file, text)
      t.ok(existsSync(file), `${file} exists (run with UPDATE_GOLDEN=1 to create it)`)
      if (!existsSync(file)) continue
      t.equal(text, readFileSync(file, 'utf8'), `bird${family === 6 ? '6' : ''}.cfg matches ${file}`)
      t.ok(text.endsWith('\n') && !text.endsWith('\n\n'), 'ends with exactly one newline')
      t.notMatch(text, /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}/, 'no timestamps')
    }
  })
}

t.test('at least 12 scenarios', async (t) => {
  t.ok(SCENARIOS.length >= 12)
  t.equal(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length, 'names are unique')
})

t.test('every golden file passes bird -p / bird6 -p', async (t) => {
  const present = files.filter((f) => existsSync(f.file))
  t.equal(present.length, SCENARIOS.length * 2)
  const results = await birdCheckFiles(present)
  results.forEach((r, i) => t.ok(r.ok, `${present[i]!.file}: ${r.message || 'ok'}`))
})
