import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../../helpers/cli.js'

/** scripts/count-tap.js turns tap's summary into CI's closing line and exit status. */
function count(t: Test, summary: string, typecheckFailed = '0', tapStatus = '0'): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(t.testdir({}), 'tap.out')
  writeFileSync(file, `TAP version 14\n${summary}\n`)
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'scripts/count-tap.js'), file, typecheckFailed, tapStatus], (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

t.test('all passed', async (t) => {
  t.same(await count(t, '# { total: 12, pass: 12 }'), { code: 0, stdout: '12 passed, 0 failed, 0 skipped\n', stderr: '' })
})

t.test('failures are counted', async (t) => {
  t.match(await count(t, '# { total: 12, pass: 10, fail: 2 }', '0', '1'), { code: 1, stdout: '10 passed, 2 failed, 0 skipped\n' })
})

t.test('skipped and todo tests are reported and fail the run', async (t) => {
  const r = await count(t, '# { total: 12, pass: 9, skip: 2, todo: 1 }')
  t.equal(r.code, 1)
  t.equal(r.stdout, '9 passed, 3 failed, 3 skipped\n')
  t.match(r.stderr, /2 skipped and 1 todo/)
})

t.test('an all-skipped run fails', async (t) => {
  const r = await count(t, '# { total: 4, skip: 4 }')
  t.equal(r.code, 1)
  t.match(r.stdout, /^0 passed, [1-9]\d* failed, 4 skipped\n$/)
})

t.test('no test ran, or no summary at all, fails', async (t) => {
  t.match(await count(t, '# { total: 0 }'), { code: 1, stdout: '0 passed, 1 failed, 0 skipped\n', stderr: /no test ran/ })
  t.match(await count(t, 'not a summary'), { code: 1, stdout: '0 passed, 1 failed, 0 skipped\n', stderr: /no tap summary/ })
})

t.test('a failed type-check or a tap exit status without a counted failure fails', async (t) => {
  t.match(await count(t, '# { total: 3, pass: 3 }', '1'), { code: 1, stdout: '3 passed, 1 failed, 0 skipped\n' })
  t.match(await count(t, '# { total: 3, pass: 3 }', '0', '2'), { code: 1, stdout: '3 passed, 1 failed, 0 skipped\n' })
})

t.test('each failed test point is named with its file and subtests before the closing line', async (t) => {
  const tap = [
    '# Subtest: test/e2e/a.test.ts',
    '    # Subtest: outer',
    '        ok 1 - fine',
    '        not ok 2 - store writes again',
    '          ---',
    '          found: false',
    '          wanted: true',
    '          ...',
    '        1..2',
    '    not ok 1 - outer # time=12ms',
    '    1..1',
    'not ok 1 - test/e2e/a.test.ts # time=100ms',
    '# Subtest: test/unit/b.test.ts',
    '    not ok 1 - timeout!',
    '    1..1',
    'not ok 2 - test/unit/b.test.ts # time=3ms',
    '# { total: 3, pass: 1, fail: 2 }',
  ].join('\n')
  const r = await count(t, tap, '0', '1')
  t.equal(r.code, 1)
  t.equal(
    r.stdout,
    [
      'not ok: test/e2e/a.test.ts > outer > store writes again',
      '    found: false',
      '    wanted: true',
      'not ok: test/unit/b.test.ts > timeout!',
      '1 passed, 2 failed, 0 skipped',
      '',
    ].join('\n'),
  )
})
