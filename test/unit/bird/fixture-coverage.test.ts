import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { BIRD_FIXTURES } from '../../helpers/fixtures.js'
import { BIRD2_FIXTURES } from '../../helpers/bird2-fixtures.js'

// Every captured BIRD output, 1.6 and 2, must be checked by some parser test, so a new
// capture cannot be forgotten: each file name has to appear literally, quoted, in one of
// the tests here or in ../bird2 (the tests that read both generations live here).
const sources = ['.', '../bird2/']
  .map((d) => fileURLToPath(new URL(d, import.meta.url)))
  .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'fixture-coverage.test.ts').map((f) => join(dir, f)))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n')

for (const { dir, pick, min } of [
  { dir: BIRD_FIXTURES, pick: (f: string) => f !== 'README.md', min: 70 },
  { dir: BIRD2_FIXTURES, pick: (f: string) => f.startsWith('raw_'), min: 26 },
]) {
  const fixtures = readdirSync(dir).filter(pick)
  t.ok(fixtures.length >= min, `${fixtures.length} fixtures in ${dir}`)
  for (const f of fixtures) t.ok(sources.includes(`'${f}'`), `${f} is used by a test`)
}
