import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { BIRD_FIXTURES } from '../../helpers/fixtures.js'

// Every captured BIRD output must be checked by some test here, so a new fixture cannot be
// forgotten: each file name has to appear literally in one of this directory's tests.
const here = fileURLToPath(new URL('.', import.meta.url))
const sources = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts') && f !== 'fixture-coverage.test.ts')
  .map((f) => readFileSync(join(here, f), 'utf8'))
  .join('\n')
const fixtures = readdirSync(BIRD_FIXTURES).filter((f) => f !== 'README.md')

t.ok(fixtures.length >= 70, `${fixtures.length} fixtures`)
for (const f of fixtures) t.ok(sources.includes(`'${f}'`), `${f} is used by a test`)
