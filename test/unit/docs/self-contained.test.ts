import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join, posix, relative } from 'node:path'
import { repositoryFiles } from '../../helpers/repository-files.js'

/**
 * The repository must stand alone: a clone with nothing beside it builds, tests and
 * documents itself. This fails when a tracked file names a path outside the repository
 * (`../shared/…`, an absolute path of the machine it was written on) or cites the old
 * external design document instead of docs/design.md.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Where a file's relative paths are resolved from at run time. Compiled code resolves
 * `new URL('../…', import.meta.url)` from its place under dist/, which is deeper than the
 * source: src/x → dist/x, bench/x → dist/bench/bench/x, scripts/x → dist/lab/scripts/x.
 */
function baseDirs(file: string): string[] {
  const dir = posix.dirname(file)
  const bases = [dir]
  if (file.startsWith('src/')) bases.push(posix.join('dist', posix.relative('src', dir)))
  if (file.startsWith('bench/')) bases.push(posix.join('dist/bench', dir))
  if (file.startsWith('scripts/')) bases.push(posix.join('dist/lab', dir))
  return bases
}

/** True when `../…` taken from one of the file's base directories stays inside the repository. */
function staysInside(file: string, up: string): boolean {
  return baseDirs(file).some((base) => !posix.normalize(posix.join(base, up)).startsWith('..'))
}

export interface OutsideReference {
  readonly file: string
  readonly line: number
  readonly text: string
  readonly why: string
}

const TEXT = /\.(ts|js|mjs|cjs|json|md|sh|hbs|cfg|env|service|yaml|yml|toml|txt)$|^bin\/|(^|\/)[^.]+$/
const RELATIVE_UP = /(?:^|["'`(\s=:,\[])((?:\.\.\/)+)/g
const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bshared\/(fixtures|DESIGN)/, 'names the shared/ directory beside the repository'],
  [/\bDESIGN\.md\b|\bDESIGN §/, 'cites the external design document; cite docs/design.md'],
  [/(^|[\s"'`(=])\/work\//, 'names an absolute path of the build machine'],
]

export function outsideReferences(root: string, files: readonly string[]): OutsideReference[] {
  const found: OutsideReference[] = []
  for (const file of files) {
    if (!TEXT.test(file) || file === 'package-lock.json') continue
    let text: string
    try {
      text = readFileSync(join(root, file), 'utf8')
    } catch {
      continue // listed by git but removed from the working tree
    }
    text.split('\n').forEach((line, i) => {
      for (const [re, why] of FORBIDDEN) {
        if (re.test(line)) found.push({ file, line: i + 1, text: line.trim(), why })
      }
      for (const m of line.matchAll(RELATIVE_UP)) {
        if (!staysInside(file, m[1]!)) {
          found.push({ file, line: i + 1, text: line.trim(), why: `${m[1]} leads outside the repository` })
        }
      }
    })
  }
  return found
}

// This file names the forbidden patterns itself; it is checked by the sample test below.
const SELF = relative(ROOT, fileURLToPath(import.meta.url)).split('\\').join('/')

t.test('no tracked file references a path outside the repository', async (t) => {
  const files = repositoryFiles(ROOT).filter((f) => f !== SELF)
  t.ok(files.length > 100, `${files.length} files checked`)
  const found = outsideReferences(ROOT, files)
  t.same(found.map((f) => `${f.file}:${f.line}: ${f.why}: ${f.text}`), [])
})

t.test('the check recognises the references it forbids', async (t) => {
  const dir = t.testdir({
    test: { helpers: { 'fixtures.ts': "new URL('../../../shared/fixtures/bird-1.6.8/', import.meta.url)\n" } },
    'README.md': 'The invariants are in `../shared/DESIGN.md`.\nSee /work/shared/x.\n',
    src: { bgp: { 'ok.ts': "new URL('../../templates/', import.meta.url) // from dist/bgp/\n" } },
    bench: { lib: { 'paths.ts': "new URL('../../../../', import.meta.url)\n" } },
  })
  const found = outsideReferences(dir, ['test/helpers/fixtures.ts', 'README.md', 'src/bgp/ok.ts', 'bench/lib/paths.ts'])
  t.same(
    found.map((f) => `${f.file}:${f.line}`).sort(),
    ['README.md:1', 'README.md:1', 'README.md:1', 'README.md:2', 'test/helpers/fixtures.ts:1', 'test/helpers/fixtures.ts:1'],
  )
  t.equal(dirname(SELF), 'test/unit/docs')
})
