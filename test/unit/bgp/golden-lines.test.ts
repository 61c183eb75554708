import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { outOfRange, unknownLines } from './bird-lines.js'

// The fuzz test's line whitelist must describe what the BIRD 1.6 templates really produce
// (the BIRD 2 goldens, *.bird2.cfg, are checked by BIRD 2's own parser in golden-bird2.test.ts).
const dir = fileURLToPath(new URL('./golden/', import.meta.url))
const files = readdirSync(dir).filter((f) => f.endsWith('.cfg') && !f.endsWith('.bird2.cfg'))
t.ok(files.length >= 24)
for (const f of files) {
  const text = readFileSync(join(dir, f), 'utf8')
  t.same(unknownLines(text), [], `${f}: every line is a known statement`)
  t.same(outOfRange(text), [], `${f}: numbers in range`)
}
