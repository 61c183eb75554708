import t from 'tap'
import { isErrorCode } from '../../../src/bird/control/index.js'
import { parseMemory, parseStatus, parseConfigureReply, type Bird2Status } from '../../../src/backends/bird2/replies/index.js'
import { bird2Lines, bird2Replies } from '../../helpers/bird2-fixtures.js'
import { capturingLogger } from '../bird/log-capture.js'

const dt = (raw: string) => ({ format: 'datetime', raw, date: raw.slice(0, 10), time: raw.slice(11, 19) }) as const
const kB = (n: number) => Math.round(n * 1024)

function status(routerId: string, serverTime: string, lastReboot: string, lastReconfiguration: string): Bird2Status {
  return {
    version: '2.0.12',
    routerId,
    serverTime: dt(serverTime),
    lastReboot: dt(lastReboot),
    lastReconfiguration: dt(lastReconfiguration),
    state: 'running',
    message: 'Daemon is up and running',
    gracefulRestartRecovery: false,
    hostname: 'vm',
  }
}

t.test('show status: default (milliseconds) and iso long times, and the host name', async (t) => {
  const { log, records } = capturingLogger()
  t.strictSame(
    parseStatus(bird2Lines('raw_a_show_status.txt'), { log }),
    status('10.99.50.1', '2026-12-03 20:30:52.923', '2026-12-03 20:30:34.403', '2026-12-03 20:30:34.403'),
  )
  t.strictSame(
    parseStatus(bird2Lines('raw_b_show_status.txt'), { log }),
    status('10.99.50.2', '2026-12-03 20:30:53', '2026-12-03 20:30:34', '2026-12-03 20:30:34'),
  )
  t.strictSame(records(), [], 'every line understood')
})

t.test('show status as the first of two replies on one connection', async (t) => {
  const [first] = bird2Replies('raw_a_two_commands_one_connection.txt')
  t.strictSame(
    parseStatus(first!),
    status('10.99.50.1', '2026-12-03 20:31:07.290', '2026-12-03 20:30:34.403', '2026-12-03 20:31:04.739'),
    'the reconfiguration time moved with the configure captures',
  )
})

t.test('show status without its lines is incomplete', async (t) => {
  t.throws(() => parseStatus(bird2Lines('raw_a_syntax_error.txt')), { name: 'IncompleteReplyError' })
  t.strictSame(bird2Lines('raw_a_syntax_error.txt'), [{ kind: 'final', code: 9001, text: 'syntax error, unexpected CF_SYM_UNDEFINED' }])
  t.ok(isErrorCode(9001))
})

t.test('show memory: both columns, in bytes', async (t) => {
  const { log, records } = capturingLogger()
  t.strictSame(parseMemory(bird2Lines('raw_a_show_memory.txt'), { log }), {
    routingTables: kB(82.2),
    routeAttributes: 3316,
    roaTables: 0,
    protocols: kB(68.9),
    total: kB(258.5),
    currentConfig: kB(52),
    standbyMemory: 0,
    overhead: {
      routingTables: kB(15.1),
      routeAttributes: kB(11.7),
      protocols: kB(32.9),
      currentConfig: 696,
      standbyMemory: kB(60),
      total: kB(126),
    },
  })
  t.strictSame(parseMemory(bird2Lines('raw_b_show_memory.txt'), { log }), {
    routingTables: kB(86.1),
    routeAttributes: 2308,
    roaTables: 0,
    protocols: kB(42.7),
    total: kB(238.6),
    currentConfig: kB(52),
    standbyMemory: 0,
    overhead: {
      routingTables: kB(15.3),
      routeAttributes: 8528,
      protocols: kB(22.1),
      currentConfig: 696,
      standbyMemory: kB(32),
      total: kB(84.5),
    },
  })
  t.strictSame(records(), [], 'the header lines are known')
  t.throws(() => parseMemory(bird2Lines('raw_a_show_memory.txt').slice(0, 3)), {
    name: 'IncompleteReplyError',
    missing: ['routeAttributes', 'protocols', 'currentConfig', 'standbyMemory', 'total'],
  })
})

t.test('configure replies: the 1.6 parser reads them unchanged', async (t) => {
  const cases = [
    ['raw_a_configure_check_ok.txt', { outcome: 'config-ok', configFile: '/tmp/fb2rec/a.conf', undoScheduledSeconds: undefined }],
    ['raw_a_configure_ok.txt', { outcome: 'reconfigured', configFile: '/tmp/fb2rec/a.conf', undoScheduledSeconds: undefined }],
    ['raw_a_configure_in_progress.txt', { outcome: 'in-progress', configFile: '/tmp/fb2rec/a-changed.conf', undoScheduledSeconds: undefined }],
  ] as const
  for (const [fixture, want] of cases) t.strictSame(parseConfigureReply(bird2Lines(fixture)), want, fixture)

  const syntax = {
    outcome: 'rejected',
    configFile: '/tmp/fb2rec/a-invalid.conf',
    error: {
      text: '/tmp/fb2rec/a-invalid.conf:215:35 syntax error, unexpected CF_SYM_UNDEFINED, expecting CF_SYM_KNOWN',
      message: 'syntax error, unexpected CF_SYM_UNDEFINED, expecting CF_SYM_KNOWN',
      location: { file: '/tmp/fb2rec/a-invalid.conf', line: 215, column: 35 },
    },
  }
  t.strictSame(parseConfigureReply(bird2Lines('raw_a_configure_check_invalid.txt')), syntax, 'configure check of a syntax error')
  t.strictSame(parseConfigureReply(bird2Lines('raw_a_configure_invalid.txt')), syntax, 'configure of a syntax error')
  t.strictSame(parseConfigureReply(bird2Lines('raw_a_configure_check_semantic.txt')), {
    outcome: 'rejected',
    configFile: '/tmp/fb2rec/a-semantic.conf',
    error: {
      text: '/tmp/fb2rec/a-semantic.conf:219:1 Neighbor must be configured',
      message: 'Neighbor must be configured',
      location: { file: '/tmp/fb2rec/a-semantic.conf', line: 219, column: 1 },
    },
  })
  t.equal(bird2Lines('raw_a_configure_invalid.txt').at(-1)!.code, 8002, 'rejections carry 8002')
})
