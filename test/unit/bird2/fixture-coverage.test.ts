import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BIRD2_FIXTURES } from '../../helpers/bird2-fixtures.js'

// Every BIRD 2 capture must be checked by some test here, so a new one cannot be forgotten:
// each raw_* file name has to appear literally, quoted, in one of this directory's tests.
const here = fileURLToPath(new URL('.', import.meta.url))
const sources = readdirSync(here)
  .filter((f) => f.endsWith('.test.ts') && f !== 'fixture-coverage.test.ts')
  .map((f) => readFileSync(join(here, f), 'utf8'))
  .join('\n')
const captures = readdirSync(BIRD2_FIXTURES).filter((f) => f.startsWith('raw_'))

t.ok(captures.length >= 26, `${captures.length} captures`)
for (const f of captures) t.ok(sources.includes(`'${f}'`), `${f} is used by a test`)
