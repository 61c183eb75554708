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
import { birdFixture } from '../../helpers/fixtures.js'
import { birdcLines, rawLines } from './fixture-lines.js'
import { capturingLogger } from './log-capture.js'

const BAD_SYNTAX: ConfigError = {
  text: '/etc/bird/lab/bad.conf:60:3 syntax error',
  message: 'syntax error',
  location: { file: '/etc/bird/lab/bad.conf', line: 60, column: 3 },
}

t.test('configure fixtures, raw and birdc', async (t) => {
  const ok = (outcome: 'reconfigured' | 'config-ok') => ({ outcome, configFile: 'node-a/bird.conf', undoScheduledSeconds: undefined })
  const rejected = { outcome: 'rejected', configFile: '/etc/bird/lab/bad.conf', error: BAD_SYNTAX }
  for (const [birdc, raw, expected] of [
    ['v4_configure_ok.txt', 'raw_v4_configure_ok.txt', ok('reconfigured')],
    ['v4_configure_check_ok.txt', 'raw_v4_configure_check_ok.txt', ok('config-ok')],
    ['v4_configure_invalid.txt', 'raw_v4_configure_invalid.txt', rejected],
    ['v4_configure_check_invalid.txt', 'raw_v4_configure_check_invalid.txt', rejected],
  ] as const) {
    t.strictSame(parseConfigureReply(birdcLines(birdc)), expected, birdc)
    t.strictSame(parseConfigureReply(rawLines(raw)), expected, raw)
  }
  t.strictSame(
    parseConfigureReply(rawLines('raw_v4_configure_in_progress.txt')),
    { outcome: 'in-progress', configFile: 'node-a/bird.conf', undoScheduledSeconds: undefined },
    'raw_v4_configure_in_progress.txt',
  )
  t.equal(rawLines('raw_v4_configure_invalid.txt').at(-1)?.code, 8002, 'the rejection is reply code 8002')
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

t.test('show memory fixtures, in bytes', async (t) => {
  const v4 = { routingTables: 35 * 1024, routeAttributes: 9772, roaTables: 192, protocols: 25 * 1024, total: 118 * 1024 }
  t.strictSame(parseMemory(rawLines('raw_v4_show_memory.txt')), v4, 'raw_v4_show_memory.txt')
  t.strictSame(parseMemory(birdcLines('v4_show_memory.txt')), v4, 'v4_show_memory.txt')
  t.strictSame(
    parseMemory(birdcLines('v6_show_memory.txt')),
    { routingTables: 35 * 1024, routeAttributes: 9800, roaTables: 192, protocols: 26 * 1024, total: 118 * 1024 },
    'v6_show_memory.txt',
  )
  t.equal(parseMemorySize('1.5 MB'), 1572864)
  t.equal(parseMemorySize('12 parsecs'), undefined)
  t.throws(() => parseMemory(['BIRD memory usage', 'Total: 1 kB']), { name: 'IncompleteReplyError' })
})
