// Reads tap's closing `# { total: N, pass: P, fail: F, skip: S, todo: T }` comment (leaf
// test points) and prints "N passed, N failed, N skipped" alone on a line, the form CI
// reads. A failed type-check, a missing summary (runner died), a run in which no test
// passed, any skipped or todo test, or a non-zero runner exit with no counted failure all
// count as failures, so CI never passes by accident: a skipped test proves nothing.
// Before that line it lists every failed test point with its file and subtest path and the
// first lines of its diagnostic: CI keeps only the tail of a long run, and a failure that
// cannot be named cannot be fixed.
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
for (const f of failedPoints(text)) console.log(f)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed === 0 ? 0 : 1)

/** Leaf `not ok` points as "not ok: file > subtest > point" plus a few diagnostic lines. */
function failedPoints(tap) {
  const lines = tap.split('\n')
  const stack = []
  const found = []
  lines.forEach((line, i) => {
    const indent = /^ */.exec(line)[0].length
    const depth = Math.floor(indent / 4)
    const subtest = /^ *# Subtest: (.*)$/.exec(line)
    if (subtest) {
      stack.length = depth
      stack[depth] = subtest[1]
      return
    }
    const notOk = /^ *not ok \d+ - (.*?)(?: # time=[\d.]+m?s)?$/.exec(line)
    if (!notOk) return
    const path = [...stack.slice(0, depth), notOk[1]]
    found.push({ path, diag: diagnostic(lines, i + 1, indent) })
  })
  // A subtest's own `not ok` repeats what its failed children say.
  const key = (p) => p.join('\u0000')
  const isParent = (f) => found.some((g) => g !== f && g.path.length > f.path.length && key(g.path.slice(0, f.path.length)) === key(f.path))
  const leaves = found.filter((f) => !isParent(f))
  const shown = leaves.slice(0, 20).map((f) => [`not ok: ${f.path.join(' > ')}`, ...f.diag.map((d) => `    ${d}`)].join('\n'))
  if (leaves.length > shown.length) shown.push(`... and ${leaves.length - shown.length} more failed test point(s)`)
  return shown
}

/** The first lines of the YAML block tap writes under a failed point (`---` ... `...`). */
function diagnostic(lines, from, indent) {
  if (!/^ *---$/.test(lines[from] ?? '')) return []
  const out = []
  for (let i = from + 1; i < lines.length && !/^ *\.\.\.$/.test(lines[i]); i++) {
    if (out.length < 12) out.push(lines[i].slice(indent + 2))
  }
  return out
}
