import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { basename, join } from 'node:path'
import { repositoryFiles } from '../../helpers/repository-files.js'

/**
 * Under `set -o pipefail`, `cmd | grep -q PATTERN` can report "no match" for a match: grep
 * quits at the first matching line, `cmd` then dies of SIGPIPE while still writing, and the
 * pipeline takes cmd's status. install-bird2.sh did this with `ldconfig -p` and failed a
 * loaded CI run ("libssh-gcrypt-4 is not installed"; about 1 call in 12 when measured).
 * Shell scripts that set pipefail read the whole output instead (`grep -q P <<<"$(cmd)"`).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const PIPE_INTO_QUIET_GREP = /\|\s*grep\s+(?:-[a-zA-Z]*q|--quiet|--silent)\b/

function pipesIntoQuietGrep(text: string): string[] {
  if (!/^\s*set\b.*\bpipefail\b/m.test(text)) return []
  return text.split('\n').flatMap((line, i) => {
    const code = line.replace(/(^|\s)#.*$/, '')
    return PIPE_INTO_QUIET_GREP.test(code) ? [`${i + 1}: ${line.trim()}`] : []
  })
}

t.test('the check recognises the pattern only where pipefail is set', async (t) => {
  t.same(pipesIntoQuietGrep('set -euo pipefail\nldconfig -p | grep -q libssh || exit 1\n'), ['2: ldconfig -p | grep -q libssh || exit 1'])
  t.same(pipesIntoQuietGrep('set -o pipefail\nx | grep -Eq a\n'), ['2: x | grep -Eq a'])
  t.same(pipesIntoQuietGrep('set -euo pipefail\ngrep -q libssh <<<"$(ldconfig -p)"\n# a | grep -q b\n'), [])
  t.same(pipesIntoQuietGrep('#!/bin/sh\nx | grep -q a\n'), [], 'no pipefail: the status is grep\'s')
})

t.test('no shell script with pipefail pipes into grep -q', async (t) => {
  const scripts = repositoryFiles(ROOT).filter((f) => {
    if (f.endsWith('.sh') || f === '.ci/run') return true
    if (basename(f).includes('.') || f.startsWith('test/fixtures/')) return false
    return readFileSync(join(ROOT, f), 'utf8').startsWith('#!/')
  })
  t.ok(scripts.includes('scripts/install-bird2.sh') && scripts.includes('.ci/run'), `scripts found (${scripts.length})`)
  for (const f of scripts) t.same(pipesIntoQuietGrep(readFileSync(join(ROOT, f), 'utf8')), [], f)
})
