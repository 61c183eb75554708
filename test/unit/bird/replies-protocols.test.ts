import t from 'tap'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { parseReplyLine } from '../../../src/bird/control/index.js'
import {
  parseProtocolLine,
  parseProtocols,
  type BgpSummary,
  type Protocol,
  type ProtocolState,
} from '../../../src/bird/replies/index.js'
import { recordedReplies } from '../../helpers/replay-server.js'
import { birdcLines, birdcVerboseLines, rawLines } from './fixture-lines.js'
import { capturingLogger } from './log-capture.js'

function row(name: string, proto: string, state: ProtocolState, since: string, info: string, bgp?: BgpSummary): Protocol {
  return {
    name,
    proto,
    table: 'master',
    state,
    since: since.length === 8 ? { format: 'time', raw: since, time: since } : { format: 'datetime', raw: since, date: since.slice(0, 10), time: since.slice(11) },
    info,
    bgp,
  }
}
const bgp = (state: BgpSummary['state'], lastError?: string): BgpSummary => ({ state, lastError })

const BASE = (t0: string): Protocol[] => [
  row('kernel1', 'Kernel', 'up', t0, ''),
  row('device1', 'Device', 'up', t0, ''),
  row('direct1', 'Direct', 'up', t0, ''),
  row('pod_blocks', 'Static', 'up', t0, ''),
]
const NO_ROUTE = 'Socket: No route to host'
const UNREACHABLE = 'Socket: Network is unreachable'

t.test('raw show protocols fixtures', async (t) => {
  const v4 = [
    ...BASE('11:40:21'),
    row('Node_10_99_0_77', 'BGP', 'start', '11:42:33', 'Connect', bgp('Connect')),
    row('Node_10_99_5_5', 'BGP', 'start', '11:42:33', `Active        ${UNREACHABLE}`, bgp('Active', UNREACHABLE)),
    row('Mesh_10_99_0_2', 'BGP', 'up', '11:42:35', 'Established', bgp('Established')),
    row('Node_disabled', 'BGP', 'down', '11:42:35', '', bgp('Down')),
  ]
  t.strictSame(parseProtocols(rawLines('raw_v4_show_protocols.txt')), v4, 'raw_v4_show_protocols.txt')

  const first = recordedReplies('raw_v4_two_commands_one_connection.txt')[0] ?? ''
  t.strictSame(
    parseProtocols(first.split('\n').slice(0, -1).map((l) => parseReplyLine(l)!)),
    v4,
    'first reply of raw_v4_two_commands_one_connection.txt',
  )

  const mixed = v4.map((p) =>
    p.name === 'Node_10_99_0_77'
      ? row('Node_10_99_0_77', 'BGP', 'start', '11:42:33', `Connect       ${NO_ROUTE}`, bgp('Connect', NO_ROUTE))
      : p,
  )
  t.strictSame(parseProtocols(rawLines('raw_v4_show_protocols_mixed.txt')), mixed, 'raw_v4_show_protocols_mixed.txt')
  t.strictSame(parseProtocols(birdcVerboseLines('birdc_v_show_protocols.txt')), mixed, 'birdc_v_show_protocols.txt')

  t.strictSame(
    parseProtocols(rawLines('raw_v6_show_protocols.txt')),
    [...BASE('11:40:21'), row('Mesh_fd99__2', 'BGP', 'up', '11:40:23', 'Established', bgp('Established'))],
    'raw_v6_show_protocols.txt',
  )
})

t.test('birdc show protocols fixtures', async (t) => {
  t.strictSame(
    parseProtocols(birdcLines('v4_show_protocols_established.txt')),
    [...BASE('11:40:21'), row('Mesh_10_99_0_2', 'BGP', 'up', '11:40:23', 'Established', bgp('Established'))],
    'v4_show_protocols_established.txt',
  )
  t.strictSame(
    parseProtocols(birdcLines('v4_show_protocols_mixed_t0.txt')),
    [
      ...BASE('11:40:22'),
      row('Mesh_10_99_0_2', 'BGP', 'up', '11:40:24', 'Established', bgp('Established')),
      row('Node_10_99_0_77', 'BGP', 'start', '11:40:52', 'Connect', bgp('Connect')),
      row('Node_10_99_5_5', 'BGP', 'start', '11:40:52', `Active        ${UNREACHABLE}`, bgp('Active', UNREACHABLE)),
      row('Node_disabled', 'BGP', 'down', '11:40:52', '', bgp('Down')),
    ],
    'v4_show_protocols_mixed_t0.txt',
  )
  const files = {
    Active: ['v4_show_protocols_nonestablished_Active.txt', 'v6_show_protocols_nonestablished_Active.txt'],
    Connect: ['v4_show_protocols_nonestablished_Connect.txt', 'v6_show_protocols_nonestablished_Connect.txt'],
  } as const
  for (const first of ['Active', 'Connect'] as const) {
    const [v4file, v6file] = files[first]
    const pad = first === 'Active' ? '        ' : '       '
    t.strictSame(
      parseProtocols(birdcLines(v4file)),
      [
        ...BASE('11:40:21'),
        row('Mesh_10_99_0_2', 'BGP', 'up', '11:40:23', 'Established', bgp('Established')),
        row('Node_10_99_0_77', 'BGP', 'start', '11:40:51', `${first}${pad}${NO_ROUTE}`, bgp(first, NO_ROUTE)),
        row('Node_10_99_5_5', 'BGP', 'start', '11:40:51', `Active        ${UNREACHABLE}`, bgp('Active', UNREACHABLE)),
        row('Node_disabled', 'BGP', 'down', '11:40:51', '', bgp('Down')),
      ],
      v4file,
    )
    t.strictSame(
      parseProtocols(birdcLines(v6file)),
      [
        ...BASE('11:40:21'),
        row('Mesh_fd99__2', 'BGP', 'up', '11:40:23', 'Established', bgp('Established')),
        row('Node_fd99__77', 'BGP', 'start', '11:42:47', `${first}${pad}${NO_ROUTE}`, bgp(first, NO_ROUTE)),
        row('Node_fd99_5__5', 'BGP', 'start', '11:42:47', `Active        ${UNREACHABLE}`, bgp('Active', UNREACHABLE)),
        row('Node6_disabled', 'BGP', 'down', '11:42:47', '', bgp('Down')),
      ],
      v6file,
    )
  }
  t.strictSame(
    parseProtocols(birdcLines('v6_show_protocols_established.txt')),
    [...BASE('11:40:21'), row('Mesh_fd99__2', 'BGP', 'up', '11:40:23', 'Established', bgp('Established'))],
    'v6_show_protocols_established.txt',
  )
})

t.test('timeformat protocol iso long: since holds a space', async (t) => {
  t.strictSame(
    parseProtocols([
      'name     proto    table    state  since       info',
      'kernel1  Kernel   master   up     2026-11-22 11:40:21  ',
      'Mesh_10_99_0_2 BGP      master   up     2026-11-22 11:42:35  Established   ',
      'Node_10_99_5_5 BGP      master   start  2026-11-22 11:42:33  Active        Socket: Network is unreachable',
      'Node_x   BGP      master   down   2026-11-22 11:42:35  Error: Hold timer expired',
      'old      Static   master   up     2026-11-20  ',
    ]),
    [
      row('kernel1', 'Kernel', 'up', '2026-11-22 11:40:21', ''),
      row('Mesh_10_99_0_2', 'BGP', 'up', '2026-11-22 11:42:35', 'Established', bgp('Established')),
      row('Node_10_99_5_5', 'BGP', 'start', '2026-11-22 11:42:33', `Active        ${UNREACHABLE}`, bgp('Active', UNREACHABLE)),
      row('Node_x', 'BGP', 'down', '2026-11-22 11:42:35', 'Error: Hold timer expired', bgp('Down', 'Error: Hold timer expired')),
      { ...row('old', 'Static', 'up', '11:11:11', ''), since: { format: 'date', raw: '2026-11-20', date: '2026-11-20' } },
    ],
  )
})

t.test('other states, other protocols, odd info', async (t) => {
  const p = parseProtocolLine('rr1      BGP      t_other  feed   11:40:21    Passive       ')
  t.strictSame(p, { ...row('rr1', 'BGP', 'feed', '11:40:21', 'Passive', bgp('Passive')), table: 't_other' })
  const odd = parseProtocolLine('x1       BGP      master   ???    11:40:21    Frobnicating  ')
  t.equal(odd?.state, 'unknown')
  t.equal(odd?.bgp, undefined, 'an info column that does not start with a BGP state gives no summary')
  t.equal(odd?.info, 'Frobnicating')
  t.equal(parseProtocolLine('ospf1    OSPF     master   up     11:40:21    Running')?.bgp, undefined)
  t.equal(parseProtocolLine('too short'), undefined)
  t.equal(parseProtocolLine(' indented  BGP master up 11:40:21'), undefined)
})

t.test('unrecognised lines are skipped and logged at debug', async (t) => {
  const { log, records } = capturingLogger()
  const rows = parseProtocols(['BIRD 1.6.8 ready.', 'name     proto    table    state  since       info', 'garbage', '', 'kernel1  Kernel   master   up     11:40:21    '], { log })
  t.strictSame(rows, [row('kernel1', 'Kernel', 'up', '11:40:21', '')])
  await nextTurn()
  t.strictSame(records().map((r) => r.line), ['garbage'])
})
