import t from 'tap'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The README's two commands (`npm run demo`, `npm test`) carry no `sudo`: run by a user, the
// scripts re-run themselves through sudo, and without sudo they say how to run them as root.
// Checked as the unprivileged user `nobody` (setpriv), with a stand-in `sudo` that only
// prints what it was asked to run, so nothing here gains root or starts a lab.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups']

function asNobody(script: string, path: string, args: string[] = []) {
  return spawnSync('setpriv', [...NOBODY, 'env', `PATH=${path}`, 'bash', join('scripts', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  })
}

t.test('a user with sudo: the script re-runs itself through sudo, keeping PATH and arguments', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'fa-asroot-'))
  t.teardown(() => rmSync(bin, { recursive: true, force: true }))
  chmodSync(bin, 0o755)
  writeFileSync(join(bin, 'sudo'), '#!/bin/sh\necho "sudo $*"\n', { mode: 0o755 })
  const path = `${bin}:/usr/bin:/bin`
  for (const script of ['demo.sh', 'test.sh']) {
    const r = asNobody(script, path, ['--keep', 'x y'])
    t.equal(r.status, 0, `${script}: exit status of the (stand-in) sudo`)
    t.equal(r.stdout.trim(), `sudo -- env PATH=${path} ${join(ROOT, 'scripts', script)} --keep x y`, script)
    t.match(r.stderr, /needs root .*re-running through sudo/)
  }
})

t.test('a user without sudo: a clear message and a non-zero exit, nothing else runs', async (t) => {
  for (const [script, name] of [['demo.sh', 'demo'], ['test.sh', 'test']] as const) {
    const r = asNobody(script, '/usr/bin:/bin')
    t.not(r.status, 0, script)
    t.equal(r.stdout, '', `${script}: nothing ran`)
    t.match(r.stderr, new RegExp(`^${name}: needs root .*sudo is not installed.*run it as root`, 'm'))
  }
})
