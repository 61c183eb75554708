import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StatusMetrics } from '../../../src/status/metrics.js'

// docs/operations.md is the operator's reference: every FALCONER_* variable the code reads
// and every metric the agent exports must be in it. Both lists are taken from the code,
// so a new variable or metric fails here until it is documented.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const OPERATIONS = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : []
  })
}

/** FALCONER_* names in src/, with the first file that mentions each. */
export function falconerVariables(srcDir: string): Map<string, string> {
  const found = new Map<string, string>()
  for (const file of sourceFiles(srcDir)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bFALCONER_[A-Z0-9_]*[A-Z0-9]\b/g)) {
      if (!found.has(m[0])) found.set(m[0], relative(ROOT, file))
    }
  }
  return found
}

/** A name documented as a table cell or in backquotes, not merely as a prefix of another. */
function documented(doc: string, name: string): boolean {
  return new RegExp('`' + name + '`').test(doc)
}

t.test('every FALCONER_* variable the code reads is documented in docs/operations.md', async (t) => {
  const vars = falconerVariables(join(ROOT, 'src'))
  t.ok(vars.size >= 10, `${vars.size} variables found in src/`)
  const missing = [...vars].filter(([name]) => !documented(OPERATIONS, name)).map(([n, f]) => `${n} (read in ${f})`)
  t.same(missing, [])
})

t.test('every metric the agent registers is documented in docs/operations.md', async (t) => {
  const metrics = new StatusMetrics()
  const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name)
  t.ok(names.length >= 10, `${names.length} metrics registered`)
  t.same(names.filter((n) => !documented(OPERATIONS, n)), [])
})

t.test('the checks notice what is missing', async (t) => {
  t.notOk(documented('`FALCONER_PREFIX_X`', 'FALCONER_PREFIX'))
  t.ok(documented('| `falconer_bird_up` |', 'falconer_bird_up'))
  const dir = t.testdir({ 'a.ts': "process.env.FALCONER_NEW_THING ?? env.FALCONER_\n" })
  t.same([...falconerVariables(dir).keys()], ['FALCONER_NEW_THING'])
})
