import t from 'tap'
import { setImmediate as nextTurn } from 'node:timers/promises'
import {
  IncompleteReplyError,
  createStatusParser,
  parseBirdTimestamp,
  parseStatus,
  timestampToDate,
  type BirdStatus,
  type BirdTimestamp,
} from '../../../src/bird/replies/index.js'
import { isErrorCode } from '../../../src/bird/control/index.js'
import { parseStatus as parseBird2Status, type Bird2Status } from '../../../src/backends/bird2/replies/index.js'
import { BIRD_FIXTURES, captureReplies } from '../../helpers/fixtures.js'
import { bird2Lines, bird2Replies } from '../../helpers/bird2-fixtures.js'
import { birdcLines, birdcVerboseLines, rawLines } from './fixture-lines.js'
import { capturingLogger } from './log-capture.js'

const dt = (raw: string): BirdTimestamp => ({ format: 'datetime', raw, date: raw.slice(0, 10), time: raw.slice(11, 19) })

/** BIRD 1.6.8's node A unless `daemon` says otherwise (BIRD 2 adds the host name). */
function status(serverTime: string, lastReboot: string, lastReconfiguration: string, daemon: Partial<Bird2Status> = {}): BirdStatus {
  return {
    version: '1.6.8',
    routerId: '10.99.0.1',
    serverTime: dt(serverTime),
    lastReboot: dt(lastReboot),
    lastReconfiguration: dt(lastReconfiguration),
    state: 'running',
    message: 'Daemon is up and running',
    gracefulRestartRecovery: false,
    ...daemon,
  }
}
const bird2 = (routerId: string): Partial<Bird2Status> => ({ version: '2.0.12', routerId, hostname: 'vm' })

type Parse = (lines: Parameters<typeof parseStatus>[0], opts: Parameters<typeof parseStatus>[1]) => BirdStatus

t.test('show status captures of BIRD 1.6 and BIRD 2, field by field', async (t) => {
  const { log, records } = capturingLogger()
  const cases: [string, Parse, Parameters<Parse>[0], BirdStatus][] = [
    ['raw_v4_show_status.txt', parseStatus, rawLines('raw_v4_show_status.txt'), status('2026-11-22 11:42:35', '2026-11-22 11:40:21', '2026-11-22 11:42:35')],
    ['raw_v6_show_status.txt', parseStatus, rawLines('raw_v6_show_status.txt'), status('2026-11-22 11:42:37', '2026-11-22 11:40:21', '2026-11-22 11:40:21')],
    ['v4_show_status.txt', parseStatus, birdcLines('v4_show_status.txt'), status('2026-11-22 11:40:38', '2026-11-22 11:40:21', '2026-11-22 11:40:21')],
    ['v6_show_status.txt', parseStatus, birdcLines('v6_show_status.txt'), status('2026-11-22 11:40:38', '2026-11-22 11:40:21', '2026-11-22 11:40:21')],
    ['birdc_v_show_status.txt', parseStatus, birdcVerboseLines('birdc_v_show_status.txt'), status('2026-11-22 11:43:02', '2026-11-22 11:40:21', '2026-11-22 11:42:35')],
    [
      'second reply of raw_v4_two_commands_one_connection.txt', parseStatus,
      captureReplies(BIRD_FIXTURES, 'raw_v4_two_commands_one_connection.txt')[1]!,
      status('2026-11-22 11:42:36', '2026-11-22 11:40:21', '2026-11-22 11:42:35'),
    ],
    // BIRD 2: default (millisecond) times on A, `timeformat base iso long` on B
    ['raw_a_show_status.txt', parseBird2Status, bird2Lines('raw_a_show_status.txt'), status('2026-12-03 20:30:52.923', '2026-12-03 20:30:34.403', '2026-12-03 20:30:34.403', bird2('10.99.50.1'))],
    ['raw_b_show_status.txt', parseBird2Status, bird2Lines('raw_b_show_status.txt'), status('2026-12-03 20:30:53', '2026-12-03 20:30:34', '2026-12-03 20:30:34', bird2('10.99.50.2'))],
    [
      'first reply of raw_a_two_commands_one_connection.txt (the reconfiguration time moved with the configure captures)', parseBird2Status,
      bird2Replies('raw_a_two_commands_one_connection.txt')[0]!,
      status('2026-12-03 20:31:07.290', '2026-12-03 20:30:34.403', '2026-12-03 20:31:04.739', bird2('10.99.50.1')),
    ],
  ]
  for (const [name, parse, lines, want] of cases) t.strictSame(parse(lines, { log }), want, name)
  await nextTurn()
  t.strictSame(records(), [], 'every line understood')
})

t.test('show status answered by a syntax error is incomplete, in both generations', async (t) => {
  const cases: [Parse, ReturnType<typeof rawLines>, string][] = [
    [parseStatus, rawLines('raw_v4_syntax_error.txt'), 'syntax error'],
    [parseBird2Status, bird2Lines('raw_a_syntax_error.txt'), 'syntax error, unexpected CF_SYM_UNDEFINED'],
  ]
  for (const [parse, lines, text] of cases) {
    t.throws(() => parse(lines, {}), { name: 'IncompleteReplyError' })
    t.strictSame(lines, [{ kind: 'final', code: 9001, text }])
  }
  t.ok(isErrorCode(9001))
})

t.test('timeformat base iso short: times under 20 h, dates after', async (t) => {
  const s = parseStatus([
    'BIRD 1.6.8',
    'Router ID is 10.99.0.7',
    'Current server time is 11:42:35',
    'Last reboot on 2026-11-20',
    'Last reconfiguration on 09:01:02',
    'Daemon is up and running',
  ])
  t.strictSame(s.serverTime, { format: 'time', raw: '11:42:35', time: '11:42:35' })
  t.strictSame(s.lastReboot, { format: 'date', raw: '2026-11-20', date: '2026-11-20' })
  t.strictSame(s.lastReconfiguration, { format: 'time', raw: '09:01:02', time: '09:01:02' })
  t.equal(s.routerId, '10.99.0.7')
})

t.test('daemon states and graceful restart', async (t) => {
  const base = ['BIRD 1.6.8', 'Router ID is 10.99.0.1', 'Current server time is 2026-11-22 11:42:35',
    'Last reboot on 2026-11-22 11:40:21', 'Last reconfiguration on 2026-11-22 11:42:35']
  const reconf = parseStatus([...base, 'Reconfiguration in progress'])
  t.equal(reconf.state, 'reconfiguring')
  t.equal(reconf.message, 'Reconfiguration in progress')
  const down = parseStatus([...base, 'Graceful restart recovery in progress', 'Shutdown in progress'])
  t.equal(down.state, 'shutting-down')
  t.equal(down.gracefulRestartRecovery, true)
})

t.test('unknown lines are skipped with a debug record; missing ones are an IncompleteReplyError', async (t) => {
  const { log, records } = capturingLogger()
  const parser = createStatusParser({ log })
  for (const l of rawLines('raw_v4_show_status.txt').slice(0, 3)) parser.push(l)
  parser.push('Something BIRD 3 might add')
  parser.push({ text: '  Waiting for 2 channels to recover' })
  const err = t.throws(() => parser.end()) as IncompleteReplyError
  t.type(err, IncompleteReplyError)
  t.strictSame(err.missing, ['lastReboot', 'lastReconfiguration', 'state'])
  t.equal(err.reply, 'show status')
  await nextTurn()
  t.strictSame(
    records().map((r) => [r.level, r.reply, r.line]),
    [
      [20, 'show status', 'Something BIRD 3 might add'],
      [20, 'show status', '  Waiting for 2 channels to recover'],
    ],
  )
  t.throws(() => parseStatus([]), { name: 'IncompleteReplyError' })
})

t.test('parseBirdTimestamp recognises the short and iso long forms only', async (t) => {
  t.strictSame(parseBirdTimestamp('11:40:21'), { format: 'time', raw: '11:40:21', time: '11:40:21' })
  t.strictSame(parseBirdTimestamp('2026-11-22'), { format: 'date', raw: '2026-11-22', date: '2026-11-22' })
  t.strictSame(parseBirdTimestamp('2026-11-22 11:40:21'), dt('2026-11-22 11:40:21'))
  for (const raw of ['1:40:21', '11:40:2x', '2026-11-22T11:40:21', '22.11.2026', '', 'Nov 22 11:40']) {
    t.strictSame(parseBirdTimestamp(raw), { format: 'unknown', raw }, raw)
  }
  t.equal(parseBirdTimestamp('11:40:21'), parseBirdTimestamp('11:40:21'), 'repeated times share one object')
})

t.test('timestampToDate, in local time', async (t) => {
  const now = new Date(2026, 10, 22, 11, 45, 0)
  t.equal(timestampToDate(parseBirdTimestamp('2026-11-22 11:40:21'), now)?.getTime(), new Date(2026, 10, 22, 11, 40, 21).getTime())
  t.equal(timestampToDate(parseBirdTimestamp('2026-11-20'), now)?.getTime(), new Date(2026, 10, 20).getTime())
  t.equal(timestampToDate(parseBirdTimestamp('11:40:21'), now)?.getTime(), new Date(2026, 10, 22, 11, 40, 21).getTime(), 'today')
  t.equal(timestampToDate(parseBirdTimestamp('23:10:00'), now)?.getTime(), new Date(2026, 10, 21, 23, 10, 0).getTime(), 'a later clock time is yesterday')
  t.equal(timestampToDate(parseBirdTimestamp('11:45:30'), now)?.getTime(), new Date(2026, 10, 22, 11, 45, 30).getTime(), 'a second or so of clock skew is today')
  t.equal(timestampToDate(parseBirdTimestamp('Nov 22'), now), undefined)
})
