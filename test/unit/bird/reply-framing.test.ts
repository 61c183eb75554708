import t from 'tap'
import { readdirSync } from 'node:fs'
import { LineSplitter, MAX_LINE_LENGTH, isErrorCode, parseReplyLine } from '../../../src/bird/control/index.js'
import { BIRD_FIXTURES, birdFixture, captureLines } from '../../helpers/fixtures.js'
import { BIRD2_FIXTURES } from '../../helpers/bird2-fixtures.js'
import { rawLines } from './fixture-lines.js'

const RAW = readdirSync(BIRD_FIXTURES).filter((f) => f.startsWith('raw_')).sort()

t.test('parseReplyLine reads each form of line', async (t) => {
  t.strictSame(parseReplyLine('0001 BIRD 1.6.8 ready.'), { kind: 'final', code: 1, text: 'BIRD 1.6.8 ready.' })
  t.strictSame(parseReplyLine('1002-kernel1  Kernel   master   up     11:40:21    '), {
    kind: 'continued',
    code: 1002,
    text: 'kernel1  Kernel   master   up     11:40:21    ',
  })
  t.strictSame(parseReplyLine(' device1  Device'), { kind: 'continued', code: undefined, text: 'device1  Device' })
  t.strictSame(parseReplyLine(' '), { kind: 'continued', code: undefined, text: '' })
  t.strictSame(parseReplyLine('0000 '), { kind: 'final', code: 0, text: '' })
  t.strictSame(parseReplyLine('+Config timeout expired, starting undo'), {
    kind: 'async',
    code: undefined,
    text: 'Config timeout expired, starting undo',
  })
  t.strictSame(parseReplyLine('8002 /etc/bird/lab/bad.conf:60:3 syntax error'), {
    kind: 'final',
    code: 8002,
    text: '/etc/bird/lab/bad.conf:60:3 syntax error',
  })
  t.strictSame(parseReplyLine('1008-\tType: static unicast univ'), { kind: 'continued', code: 1008, text: '\tType: static unicast univ' })
  for (const bad of ['', '000', '0000', '00a0 x', '0000x', 'BIRD 1.6.8 ready.', '12345 x']) {
    t.equal(parseReplyLine(bad), undefined, JSON.stringify(bad))
  }
})

t.test('isErrorCode: 8xxx and 9xxx only', async (t) => {
  t.strictSame([0, 1, 13, 1007, 2002, 7999, 8000, 8002, 8003, 9001, 9002, 9999].map(isErrorCode), [
    false, false, false, false, false, false, true, true, true, true, true, true,
  ])
})

t.test('every raw capture, BIRD 1.6 and BIRD 2, is well-formed wire text ending in one final line per reply', async (t) => {
  for (const [dir, min] of [[BIRD_FIXTURES, 20], [BIRD2_FIXTURES, 26]] as const) {
    const raw = readdirSync(dir).filter((f) => f.startsWith('raw_')).sort()
    t.ok(raw.length >= min, `found ${raw.length} raw fixtures in ${dir}`)
    for (const f of raw) {
      const lines = captureLines(dir, f)
      const finals = lines.filter((l) => l.kind === 'final')
      t.equal(lines.at(-1)?.kind, 'final', `${f} ends with a final line`)
      t.equal(finals.length, f.endsWith('_two_commands_one_connection.txt') ? 2 : 1, `${f}: replies`)
      t.notOk(lines.some((l) => l.kind === 'async'), `${f}: no async lines`)
    }
  }
})

t.test('the two-replies fixture: codes, continuations and finals in order', async (t) => {
  const lines = rawLines('raw_v4_two_commands_one_connection.txt')
  t.strictSame(
    lines.map((l) => `${l.kind}:${l.code ?? '-'}`),
    [
      'continued:2002', 'continued:1002',
      'continued:-', 'continued:-', 'continued:-', 'continued:-', 'continued:-', 'continued:-', 'continued:-',
      'final:0',
      'continued:1000', 'continued:1011', 'continued:-', 'continued:-', 'continued:-',
      'final:13',
    ],
  )
  t.equal(lines[10]?.text, 'BIRD 1.6.8')
  t.equal(lines[12]?.text, 'Current server time is 2026-11-22 11:42:36')
})

function splitAll(chunks: Buffer[]): string[] {
  const splitter = new LineSplitter()
  const out: string[] = []
  for (const c of chunks) splitter.push(c, (l) => out.push(l))
  // Every fixture ends in a newline: nothing may be left over.
  if (splitter.pending) out.push('<pending>')
  return out
}

t.test('LineSplitter: every raw fixture, whole, byte by byte and cut at every position', async (t) => {
  for (const f of RAW) {
    const bytes = Buffer.from(birdFixture(f), 'utf8')
    const expected = birdFixture(f).split('\n').slice(0, -1)
    t.strictSame(splitAll([bytes]), expected, `${f} whole`)
    const single = [...bytes].map((b) => Buffer.from([b]))
    t.strictSame(splitAll(single), expected, `${f} 1-byte chunks`)
    let ok = true
    for (let cut = 1; cut < bytes.length; cut++) {
      const got = splitAll([bytes.subarray(0, cut), bytes.subarray(cut)])
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        ok = false
        t.fail(`${f} cut at ${cut}`)
        break
      }
    }
    t.ok(ok, `${f} cut at each of ${bytes.length - 1} positions`)
  }
})

t.test('LineSplitter: a multi-byte character split between chunks survives', async (t) => {
  const bytes = Buffer.from('1002-prøtocol é\n0000 \n', 'utf8')
  const lines = splitAll([...bytes].map((b) => Buffer.from([b])))
  t.strictSame(lines, ['1002-prøtocol é', '0000 '])
})

t.test('LineSplitter: a partial line is held until its newline', async (t) => {
  const splitter = new LineSplitter()
  const out: string[] = []
  splitter.push(Buffer.from('00'), (l) => out.push(l))
  t.equal(splitter.pending, true)
  splitter.push(Buffer.from('13 Daemon is up'), (l) => out.push(l))
  t.strictSame(out, [])
  splitter.push(Buffer.from(' and running\n1000-BIRD'), (l) => out.push(l))
  t.strictSame(out, ['0013 Daemon is up and running'])
  t.equal(splitter.pending, true)
})

t.test('LineSplitter: refuses an endless line instead of buffering it', async (t) => {
  const splitter = new LineSplitter()
  t.throws(() => splitter.push(Buffer.alloc(MAX_LINE_LENGTH + 1, 0x41), () => {}), { name: 'LineTooLongError' })
})
