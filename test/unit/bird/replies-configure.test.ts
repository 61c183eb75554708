import t from 'tap'
import { setImmediate as nextTurn } from 'node:timers/promises'
import {
  parseConfigCheckOutput,
  parseConfigError,
  parseConfigureReply,
  parseMemory,
  parseMemorySize,
  type ConfigError,
} from '../../../src/bird/replies/index.js'
import { parseMemory as parseBird2Memory } from '../../../src/backends/bird2/replies/index.js'
import { birdFixture } from '../../helpers/fixtures.js'
import { bird2Lines } from '../../helpers/bird2-fixtures.js'
import { birdcLines, rawLines } from './fixture-lines.js'
import { capturingLogger } from './log-capture.js'

/** What the parsers take: reply lines from the socket, or birdc's text lines. */
type ReplyInput = Parameters<typeof parseConfigureReply>[0]

const BAD_SYNTAX: ConfigError = {
  text: '/etc/bird/lab/bad.conf:60:3 syntax error',
  message: 'syntax error',
  location: { file: '/etc/bird/lab/bad.conf', line: 60, column: 3 },
}

t.test('configure replies of BIRD 1.6 (raw and birdc) and BIRD 2 (raw): one parser for both', async (t) => {
  const ok = (outcome: 'reconfigured' | 'config-ok' | 'in-progress', configFile = 'node-a/bird.conf') => ({ outcome, configFile, undoScheduledSeconds: undefined })
  const rejected = { outcome: 'rejected', configFile: '/etc/bird/lab/bad.conf', error: BAD_SYNTAX }
  const bird2Syntax = {
    outcome: 'rejected',
    configFile: '/tmp/fb2rec/a-invalid.conf',
    error: {
      text: '/tmp/fb2rec/a-invalid.conf:215:35 syntax error, unexpected CF_SYM_UNDEFINED, expecting CF_SYM_KNOWN',
      message: 'syntax error, unexpected CF_SYM_UNDEFINED, expecting CF_SYM_KNOWN',
      location: { file: '/tmp/fb2rec/a-invalid.conf', line: 215, column: 35 },
    },
  }
  const cases: [string, ReplyInput, object][] = [
    ['v4_configure_ok.txt', birdcLines('v4_configure_ok.txt'), ok('reconfigured')],
    ['raw_v4_configure_ok.txt', rawLines('raw_v4_configure_ok.txt'), ok('reconfigured')],
    ['v4_configure_check_ok.txt', birdcLines('v4_configure_check_ok.txt'), ok('config-ok')],
    ['raw_v4_configure_check_ok.txt', rawLines('raw_v4_configure_check_ok.txt'), ok('config-ok')],
    ['v4_configure_invalid.txt', birdcLines('v4_configure_invalid.txt'), rejected],
    ['raw_v4_configure_invalid.txt', rawLines('raw_v4_configure_invalid.txt'), rejected],
    ['v4_configure_check_invalid.txt', birdcLines('v4_configure_check_invalid.txt'), rejected],
    ['raw_v4_configure_check_invalid.txt', rawLines('raw_v4_configure_check_invalid.txt'), rejected],
    ['raw_v4_configure_in_progress.txt', rawLines('raw_v4_configure_in_progress.txt'), ok('in-progress')],
    ['raw_a_configure_check_ok.txt', bird2Lines('raw_a_configure_check_ok.txt'), ok('config-ok', '/tmp/fb2rec/a.conf')],
    ['raw_a_configure_ok.txt', bird2Lines('raw_a_configure_ok.txt'), ok('reconfigured', '/tmp/fb2rec/a.conf')],
    ['raw_a_configure_in_progress.txt', bird2Lines('raw_a_configure_in_progress.txt'), ok('in-progress', '/tmp/fb2rec/a-changed.conf')],
    ['raw_a_configure_check_invalid.txt: configure check of a syntax error', bird2Lines('raw_a_configure_check_invalid.txt'), bird2Syntax],
    ['raw_a_configure_invalid.txt: configure of a syntax error', bird2Lines('raw_a_configure_invalid.txt'), bird2Syntax],
    ['raw_a_configure_check_semantic.txt', bird2Lines('raw_a_configure_check_semantic.txt'), {
      outcome: 'rejected',
      configFile: '/tmp/fb2rec/a-semantic.conf',
      error: {
        text: '/tmp/fb2rec/a-semantic.conf:219:1 Neighbor must be configured',
        message: 'Neighbor must be configured',
        location: { file: '/tmp/fb2rec/a-semantic.conf', line: 219, column: 1 },
      },
    }],
  ]
  for (const [name, lines, expected] of cases) t.strictSame(parseConfigureReply(lines), expected, name)
  t.equal(rawLines('raw_v4_configure_invalid.txt').at(-1)?.code, 8002, 'the rejection is reply code 8002 (BIRD 1.6)')
  t.equal(bird2Lines('raw_a_configure_invalid.txt').at(-1)?.code, 8002, 'the rejection is reply code 8002 (BIRD 2)')
})

t.test('the other configure replies of BIRD 1.6', async (t) => {
  const reply = (...lines: string[]) => parseConfigureReply(lines)
  t.strictSame(reply('Reading configuration from /etc/bird.conf', 'Undo scheduled in 30 s', 'Reconfigured'), {
    outcome: 'reconfigured',
    configFile: '/etc/bird.conf',
    undoScheduledSeconds: 30,
  })
  t.equal(reply('Reading configuration from /etc/bird.conf', 'Reconfiguration already in progress, queueing new config').outcome, 'queued')
  t.equal(reply('Reading configuration from /etc/bird.conf', 'Reconfiguration ignored, shutting down').outcome, 'shutting-down')
  t.equal(reply('Reading configuration from /etc/bird.conf', 'Reconfiguration already in progress, removing queued config').outcome, 'unqueued')
  t.strictSame(reply('Reconfiguration confirmed'), { outcome: 'confirmed', configFile: undefined, undoScheduledSeconds: undefined })
  t.equal(reply('Undo requested', 'Nothing to do').outcome, 'nothing-to-do')
  t.strictSame(reply('Reading configuration from /nope.conf', '/nope.conf: No such file or directory'), {
    outcome: 'rejected',
    configFile: '/nope.conf',
    error: { text: '/nope.conf: No such file or directory', message: '/nope.conf: No such file or directory', location: undefined },
  })
  t.strictSame(reply('Access denied'), {
    outcome: 'rejected',
    configFile: undefined,
    error: { text: 'Access denied', message: 'Access denied', location: undefined },
  })
  t.throws(() => reply('BIRD 1.6.8 ready.'), { name: 'IncompleteReplyError' })
})

t.test('a stray line next to a success outcome is logged, not taken for an error', async (t) => {
  const { log, records } = capturingLogger()
  t.equal(parseConfigureReply(['Reading configuration from a.conf', 'Something new', 'Reconfigured'], { log }).outcome, 'reconfigured')
  await nextTurn()
  t.strictSame(records().map((r) => r.line), ['Something new'])
})

t.test('config errors: file:line:col extracted', async (t) => {
  t.strictSame(parseConfigError('/etc/calico/confd/config/bird.cfg:12:34 Neighbor must be configured'), {
    text: '/etc/calico/confd/config/bird.cfg:12:34 Neighbor must be configured',
    message: 'Neighbor must be configured',
    location: { file: '/etc/calico/confd/config/bird.cfg', line: 12, column: 34 },
  })
  t.strictSame(parseConfigError('syntax error'), { text: 'syntax error', message: 'syntax error', location: undefined })
})

t.test('bird -p stderr fixtures', async (t) => {
  const stderr = (fixture: string) => birdFixture(fixture).replace(/^rc=\d+\n?$/m, '')
  t.strictSame(parseConfigCheckOutput(stderr('bird_p_invalid_syntax.txt')), BAD_SYNTAX, 'bird_p_invalid_syntax.txt')
  t.strictSame(parseConfigCheckOutput(stderr('bird_p_invalid_semantic.txt')), {
    text: '/etc/bird/lab/bad2.conf:2:77 No such filter.',
    message: 'No such filter.',
    location: { file: '/etc/bird/lab/bad2.conf', line: 2, column: 77 },
  }, 'bird_p_invalid_semantic.txt')
  t.strictSame(parseConfigCheckOutput(stderr('bird_p_invalid_noneighbor.txt')), {
    text: '/etc/bird/lab/bad3.conf:2:34 Neighbor must be configured',
    message: 'Neighbor must be configured',
    location: { file: '/etc/bird/lab/bad3.conf', line: 2, column: 34 },
  }, 'bird_p_invalid_noneighbor.txt')
  t.equal(parseConfigCheckOutput(stderr('bird_p_valid.txt')), undefined, 'bird_p_valid.txt: silent')
  t.equal(parseConfigCheckOutput('bird6: /x.conf:1:1 syntax error\n')?.location?.file, '/x.conf')
})

t.test('show memory captures of BIRD 1.6 and BIRD 2, in bytes', async (t) => {
  const { log, records } = capturingLogger()
  const kB = (n: number) => Math.round(n * 1024)
  const v4 = { routingTables: 35 * 1024, routeAttributes: 9772, roaTables: 192, protocols: 25 * 1024, total: 118 * 1024 }
  // BIRD 2 prints two columns: what is in use, and the allocator's overhead
  const cases: [string, (lines: ReplyInput, opts: { log: typeof log }) => object, ReplyInput, object][] = [
    ['raw_v4_show_memory.txt', parseMemory, rawLines('raw_v4_show_memory.txt'), v4],
    ['v4_show_memory.txt', parseMemory, birdcLines('v4_show_memory.txt'), v4],
    ['v6_show_memory.txt', parseMemory, birdcLines('v6_show_memory.txt'),
      { routingTables: 35 * 1024, routeAttributes: 9800, roaTables: 192, protocols: 26 * 1024, total: 118 * 1024 }],
    ['raw_a_show_memory.txt', parseBird2Memory, bird2Lines('raw_a_show_memory.txt'), {
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
    }],
    ['raw_b_show_memory.txt', parseBird2Memory, bird2Lines('raw_b_show_memory.txt'), {
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
    }],
  ]
  for (const [name, parse, lines, expected] of cases) t.strictSame(parse(lines, { log }), expected, name)
  await nextTurn()
  t.strictSame(records(), [], 'the header lines are known')
  t.equal(parseMemorySize('1.5 MB'), 1572864)
  t.equal(parseMemorySize('12 parsecs'), undefined)
  t.throws(() => parseMemory(['BIRD memory usage', 'Total: 1 kB']), { name: 'IncompleteReplyError' })
  t.throws(() => parseBird2Memory(bird2Lines('raw_a_show_memory.txt').slice(0, 3)), {
    name: 'IncompleteReplyError',
    missing: ['routeAttributes', 'protocols', 'currentConfig', 'standbyMemory', 'total'],
  })
})
