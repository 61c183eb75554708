// Reads tap's closing `# { total: N, pass: P, fail: F, skip: S, todo: T }` comment (leaf
// test points) and prints "N passed, N failed, N skipped" alone on a line, the form CI
// reads. A failed type-check, a missing summary (runner died), a run in which no test
// passed, any skipped or todo test, or a non-zero runner exit with no counted failure all
// count as failures, so CI never passes by accident: a skipped test proves nothing.
import { readFileSync } from 'node:fs'

const [file, typecheckFailed, tapStatus] = process.argv.slice(2)
const text = readFileSync(file, 'utf8')
const summaries = [...text.matchAll(/^# \{ total: (\d+)(.*)\}$/gm)]
const last = summaries.at(-1)
const field = (name) => Number(new RegExp(`${name}: (\\d+)`).exec(last?.[2] ?? '')?.[1] ?? 0)
const passed = field('pass')
const skipped = field('skip') + field('todo')
let failed = field('fail') + (Number(typecheckFailed) || 0)
const why = []
if (!last) {
  failed += 1
  why.push('no tap summary (the runner died?)')
} else if (passed === 0) {
  failed += 1
  why.push('no test ran')
}
if (skipped > 0) {
  failed += skipped
  why.push(`${field('skip')} skipped and ${field('todo')} todo test(s) count as failed`)
}
if (failed === 0 && Number(tapStatus) !== 0) {
  failed = 1
  why.push(`tap exited with status ${tapStatus}`)
}
for (const w of why) console.error(`count-tap: ${w}`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed === 0 ? 0 : 1)
