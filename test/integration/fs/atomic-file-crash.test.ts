import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ensureBuilt, REPO_ROOT } from '../../helpers/cli.js'

// Invariant 3 in docs/design.md: a crash at any moment leaves either the old or the new file, never a torn
// one. A child process rewrites one file as fast as it can, alternating two large, distinct
// contents, and is SIGKILLed at staggered moments; after every kill the file must be
// exactly one of the two.
const A = 'a'.repeat(512 * 1024) + '\n'
const B = 'b'.repeat(512 * 1024) + '\n'

t.test('SIGKILL during writeFileAtomic never leaves a torn file', async (t) => {
  await ensureBuilt()
  const dir = await mkdtemp(join(tmpdir(), 'falconer-atomic-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const target = join(dir, 'bird.cfg')
  const moduleUrl = pathToFileURL(join(REPO_ROOT, 'dist/fs/atomic-file.js')).href
  const script = `
    const { writeFileAtomic } = await import(${JSON.stringify(moduleUrl)})
    const texts = ['a'.repeat(${A.length - 1}) + '\\n', 'b'.repeat(${B.length - 1}) + '\\n']
    await writeFileAtomic(${JSON.stringify(target)}, texts[0])
    process.stdout.write('ready\\n')
    for (let i = 1; ; i++) await writeFileAtomic(${JSON.stringify(target)}, texts[i % 2])
  `
  for (let round = 0; round < 12; round++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve())
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)))
    })
    await new Promise((r) => setTimeout(r, 5 + round * 7))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    const text = await readFile(target, 'utf8')
    t.ok(text === A || text === B, `round ${round}: the file is one whole version (${text.length} bytes)`)
  }
  // Staged temp files of killed writers may remain (hidden, never under the target's name).
  const names = await readdir(dir)
  t.ok(names.every((n) => n === 'bird.cfg' || (n.startsWith('.bird.cfg.') && n.endsWith('.tmp'))), 'only the target and hidden temp files')
})
