// Reads tap's closing `# { total: N, pass: P, fail: F, … }` comment (leaf test points)
// and prints "N passed, N failed" alone on a line, the form CI reads. A failed type-check,
// a missing summary (runner died) or a non-zero runner exit with no counted failure all
// count as a failure, so CI never passes by accident.
import { readFileSync } from 'node:fs'

const [file, typecheckFailed, tapStatus] = process.argv.slice(2)
const text = readFileSync(file, 'utf8')
const summaries = [...text.matchAll(/^# \{ total: (\d+)(.*)\}$/gm)]
const last = summaries.at(-1)
const field = (name) => Number(new RegExp(`${name}: (\\d+)`).exec(last?.[2] ?? '')?.[1] ?? 0)
let passed = field('pass')
let failed = field('fail') + (Number(typecheckFailed) || 0)
if (!last) failed += 1
if (failed === 0 && Number(tapStatus) !== 0) failed = 1
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
