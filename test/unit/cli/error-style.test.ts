import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { COMMAND_PREFIX, GET_PREFIX, errorLine, errorPrefix } from '../../../src/cli/errors.js'

// One error style (src/cli/errors.ts): the prefix belongs to the formatter, never to a
// message. This walks the source so that a new message bringing its own prefix, or a new
// place that writes errors to stderr by itself, fails here.

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Prefixes falconer used before (and calicoctl's others): a message must not start with one. */
const PREFIX = /^(Failed to |Error executing command|Error: |error: |ERROR[: ]|Invalid option: |Hit error|fatal: )/

/** Files whose literals may start with "Failed to": the formatter and calicoctl's per-resource report. */
const OWNERS = new Set(['cli/errors.ts', 'cli/print/outcomes.ts'])

/** The only places in src/cli that write to stderr themselves, and why each is allowed. */
const STDERR_WRITERS: Readonly<Record<string, string>> = {
  'cli/main.ts': 'errorLine for every failure and usage error',
  'cli/node-run.ts': 'errorLine for a refused start, then its hint lines',
  'cli/apply.ts': "calicoctl's per-resource report lines (print/outcomes.ts)",
  'cli/bird.ts': 'warnings beside a rendered config (not failures)',
  'cli/node-autodetect.ts': 'the --explain trace before the error line',
  'cli/flags.ts': 'defines writeErr',
  'cli/context.ts': 're-exports writeErr',
}

/** Every string or template literal that opens an error's message, with its file:line. */
function messageStarts(file: string, text: string): { where: string; start: string }[] {
  const out: { where: string; start: string }[] = []
  const re = /\b(?:new\s+\w*Error|super)\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)/g
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length
    out.push({ where: `${relative(SRC, file)}:${line}`, start: m[2]! })
  }
  return out
}

t.test('no error message in src/ brings its own prefix', async (t) => {
  const offenders: string[] = []
  let seen = 0
  for (const file of sources(SRC)) {
    if (OWNERS.has(relative(SRC, file))) continue
    for (const { where, start } of messageStarts(file, readFileSync(file, 'utf8'))) {
      seen++
      if (PREFIX.test(start)) offenders.push(`${where}: ${start.slice(0, 60)}`)
    }
  }
  t.ok(seen > 100, `walked the messages (${seen})`)
  t.same(offenders, [], 'messages that carry a prefix (the formatter adds it)')
})

t.test('no other string in src/cli starts with an error prefix', async (t) => {
  const offenders: string[] = []
  for (const file of sources(join(SRC, 'cli'))) {
    const rel = relative(SRC, file)
    if (OWNERS.has(rel)) continue
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/(['"`])((?:\\.|(?!\1)[^\\\n])*)\1/g)) {
      if (PREFIX.test(m[2]!)) offenders.push(`${rel}:${text.slice(0, m.index).split('\n').length}: ${m[2]!.slice(0, 60)}`)
    }
  }
  t.same(offenders, [])
})

t.test('only the known places write to stderr', async (t) => {
  const writers = sources(join(SRC, 'cli'))
    .filter((f) => /\bwriteErr\b|process\.stderr\.write|console\.error/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(SRC, f))
    .sort()
  t.same(writers, Object.keys(STDERR_WRITERS).sort(), 'a new writer must print through errorLine, or be added here with its reason')
})

t.test('the formatter: the prefix of the command, one line, no commander "error:"', async (t) => {
  t.equal(errorPrefix('get'), GET_PREFIX)
  t.equal(errorPrefix('label'), COMMAND_PREFIX)
  t.equal(errorPrefix(undefined), COMMAND_PREFIX)
  t.equal(errorLine(new Error('resource type \'x\' is not supported'), 'get'), "Failed to get resources: resource type 'x' is not supported")
  t.equal(errorLine("error: unknown option '--x'\n(Did you mean --y?)", 'node'), "Failed to execute command: unknown option '--x' (Did you mean --y?)")
  t.equal(errorLine(new Error('line one\n   line two'), 'patch'), 'Failed to execute command: line one line two')
})
