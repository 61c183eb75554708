#!/usr/bin/env node
// Records the commit a build came from in dist/build-info.json, which `falconer version`
// prints as "Git Commit". Run after tsc (npm run build) and again when packaging. A tree
// without .git (an unpacked tarball) records "unknown"; a tree with uncommitted changes
// records the commit with "-dirty", since the build is then not that commit.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))

function git(args) {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
}

function commit() {
  // Only the tree's own .git: git would otherwise find a repository above an unpacked copy.
  if (!existsSync(join(root, '.git'))) return 'unknown'
  try {
    const head = git(['rev-parse', 'HEAD'])
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== ''
    return dirty ? `${head}-dirty` : head
  } catch {
    return 'unknown'
  }
}

mkdirSync(join(root, 'dist'), { recursive: true })
writeFileSync(join(root, 'dist', 'build-info.json'), JSON.stringify({ commit: commit() }) + '\n')
