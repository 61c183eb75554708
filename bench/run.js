#!/usr/bin/env node
// `npm run bench [-- --smoke]`: builds what is stale, then runs the benchmarks.
//   dist/        `tsc -p tsconfig.json`, the product (what the figures are about)
//   dist/bench/  `tsc -p bench/tsconfig.json`, the benchmark code and the test helpers it uses
// Plain JavaScript only because it must run before anything is compiled; the benchmarks
// themselves are TypeScript (bench/main.ts). Builds take the same lock directory as the
// test helper's ensureBuilt, so a test run in parallel never sees dist/ half written.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsc = join(root, 'node_modules/typescript/bin/tsc')

function mtime(file) {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

function newestTs(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(path))
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, mtime(path))
  }
  return newest
}

async function withBuildLock(fn) {
  mkdirSync(join(root, 'dist'), { recursive: true })
  const lock = join(root, 'dist', '.build-lock')
  const deadline = Date.now() + 300_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      if (Date.now() - mtime(lock) > 300_000) rmdirSync(lock)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`)
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  try {
    return fn()
  } finally {
    rmdirSync(lock)
  }
}

/** tsc emits even when files outside bench/ have type errors; the entry point must exist afterwards. */
function build(project, output, what) {
  process.stderr.write(`bench: building ${what} (tsc -p ${project})\n`)
  const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  if (r.status !== 0) process.stderr.write(`bench: tsc -p ${project} reported errors:\n${r.stdout}${r.stderr}`)
  if (mtime(output) === 0) {
    process.stderr.write(`bench: ${output} was not produced\n`)
    process.exit(1)
  }
}

const product = join(root, 'dist/cli/main.js')
const entry = join(root, 'dist/bench/bench/main.js')
// tsc's incremental mode leaves unchanged outputs untouched: a stamp records the last build.
const stamp = join(root, 'dist/bench/.built')
await withBuildLock(() => {
  const src = newestTs(join(root, 'src'))
  if (src > mtime(product)) build('tsconfig.json', product, 'the product into dist/')
  const benchSources = Math.max(src, newestTs(join(root, 'bench')), newestTs(join(root, 'test/helpers')))
  if (benchSources > mtime(stamp) || mtime(entry) === 0) {
    build('bench/tsconfig.json', entry, 'the benchmarks into dist/bench/')
    writeFileSync(stamp, `${new Date().toISOString()}\n`)
  }
})

const { main } = await import(pathToFileURL(entry).href)
process.exitCode = await main(process.argv.slice(2))
