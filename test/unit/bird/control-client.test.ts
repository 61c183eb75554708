import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BirdCommandError,
  BirdControl,
  BirdControlError,
  BirdProtocolError,
  BirdTimeoutError,
  BirdUnavailableError,
  type ReplyLine,
} from '../../../src/bird/control/index.js'
import {
  createProtocolDetailsParser,
  parseConfigureReply,
  runParserAsync,
  parseProtocolDetails,
  parseProtocols,
  parseRoutes,
  parseStatus,
} from '../../../src/bird/replies/index.js'
import { reasonForErrno } from '../../../src/bird/control/errors.js'
import { birdFixture } from '../../helpers/fixtures.js'
import { pollUntil } from '../../helpers/netns.js'
import { generatedRouteReply, recordedReplies, recordedReply, startReplayServer, type ReplayAnswer } from '../../helpers/replay-server.js'
import { HIGH_WATER_LINES } from '../../../src/bird/control/line-stream.js'
import { rawLines } from './fixture-lines.js'

/** What the raw fixtures answer, by command. */
const RECORDED: Readonly<Record<string, string>> = {
  'show status': 'raw_v4_show_status.txt',
  'show protocols': 'raw_v4_show_protocols.txt',
  'show protocols all': 'raw_v4_show_protocols_all_mixed.txt',
  'show protocols all Mesh_10_99_0_2': 'raw_v4_show_protocols_all_Mesh_established.txt',
  'show route': 'raw_v4_show_route.txt',
  'show route all': 'raw_v4_show_route_all.txt',
  'show memory': 'raw_v4_show_memory.txt',
  'configure "node-a/bird.conf"': 'raw_v4_configure_ok.txt',
  'configure soft "node-a/bird.conf"': 'raw_v4_configure_in_progress.txt',
  'configure check "node-a/bird.conf"': 'raw_v4_configure_check_ok.txt',
  'configure "/etc/bird/lab/bad.conf"': 'raw_v4_configure_invalid.txt',
  'configure check "/etc/bird/lab/bad.conf"': 'raw_v4_configure_check_invalid.txt',
  'show protocols NoSuchProto': 'raw_v4_show_protocols_nomatch.txt',
  'show protocols "Nothing*"': 'raw_v4_show_protocols_pattern_nomatch.txt',
  'show frobnicate': 'raw_v4_syntax_error.txt',
  'show protocols (v6)': 'raw_v6_show_protocols.txt',
  'show protocols all (v6)': 'raw_v6_show_protocols_all_Mesh_established.txt',
  'show route (v6)': 'raw_v6_show_route.txt',
  'show route all (v6)': 'raw_v6_show_route_all.txt',
  'show status (v6)': 'raw_v6_show_status.txt',
}

function recorded(extra: Record<string, ReplayAnswer> = {}): (cmd: string) => ReplayAnswer | undefined {
  return (cmd) => extra[cmd] ?? (RECORDED[cmd] === undefined ? undefined : recordedReply(RECORDED[cmd]))
}

function control(t: { teardown(fn: () => unknown): void }, socketPath: string, timeoutMs = 10_000, onAsync?: (text: string) => void): BirdControl {
  const ctl = new BirdControl({ socketPath, timeoutMs, ...(onAsync && { onAsync }) })
  t.teardown(() => ctl.close())
  return ctl
}

t.test('each recorded reply comes back line for line, on one connection', async (t) => {
  const server = await startReplayServer(t, { answer: recorded() })
  const ctl = control(t, server.socketPath)
  t.equal(ctl.greeting, undefined, 'no connection before the first command')
  for (const [cmd, fixture] of Object.entries(RECORDED)) {
    const expected = rawLines(fixture)
    const final = expected.at(-1)!
    if (final.kind === 'final' && final.code >= 8000) continue
    const reply = await ctl.request(cmd)
    t.strictSame(reply.lines, expected, `${cmd} ← ${fixture}`)
    t.equal(reply.code, final.code)
    t.equal(reply.command, cmd)
  }
  t.equal(ctl.greeting, 'BIRD 1.6.8 ready.')
  t.equal(server.connections, 1)
})

t.test('split reads: every write one byte, on its own turn of the event loop', async (t) => {
  const server = await startReplayServer(t, { answer: recorded(), chunkSize: 1 })
  const ctl = control(t, server.socketPath)
  const status = parseStatus((await ctl.request('show status')).lines)
  t.equal(status.routerId, '10.99.0.1')
  t.equal(status.serverTime.raw, '2026-11-22 11:42:35')
  t.strictSame((await ctl.request('show protocols all')).lines, rawLines('raw_v4_show_protocols_all_mixed.txt'))
  t.strictSame(parseProtocolDetails((await ctl.request('show protocols all')).lines), parseProtocolDetails(rawLines('raw_v4_show_protocols_all_mixed.txt')))
  const routes = parseRoutes((await ctl.request('show route all')).lines)
  t.strictSame(routes.map((r) => `${r.network} ${r.protocol} ${r.bgp?.localPref ?? '-'}`), [
    '192.168.10.0/26 pod_blocks -',
    '192.168.20.0/26 Mesh_10_99_0_2 100',
    '10.99.0.0/24 direct1 -',
  ])
  const err = await t.rejects(ctl.request('configure "/etc/bird/lab/bad.conf"'))
  t.type(err, BirdCommandError)
  t.equal((err as BirdCommandError).code, 8002)
  t.equal(server.connections, 1)
})

t.test('8xxx and 9xxx replies are typed errors, and the connection carries on', async (t) => {
  const server = await startReplayServer(t, { answer: recorded() })
  const ctl = control(t, server.socketPath)

  const bad = (await t.rejects(ctl.request('configure "/etc/bird/lab/bad.conf"'))) as BirdCommandError
  t.type(bad, BirdCommandError)
  t.equal(bad.name, 'BirdCommandError')
  t.equal(bad.code, 8002)
  t.equal(bad.kind, 'runtime')
  t.equal(bad.message, '/etc/bird/lab/bad.conf:60:3 syntax error')
  t.equal(bad.command, 'configure "/etc/bird/lab/bad.conf"')
  t.equal(bad.socketPath, server.socketPath)
  t.strictSame(bad.lines, rawLines('raw_v4_configure_invalid.txt'), 'the lines before the error come with it')
  t.strictSame(parseConfigureReply(bad.lines), {
    outcome: 'rejected',
    configFile: '/etc/bird/lab/bad.conf',
    error: { text: bad.message, message: 'syntax error', location: { file: '/etc/bird/lab/bad.conf', line: 60, column: 3 } },
  })

  const check = (await t.rejects(ctl.request('configure check "/etc/bird/lab/bad.conf"'))) as BirdCommandError
  t.equal(check.code, 8002)

  const noMatch = (await t.rejects(ctl.request('show protocols "Nothing*"'))) as BirdCommandError
  t.equal(noMatch.code, 8003)
  t.equal(noMatch.message, 'No protocols match')
  t.equal(noMatch.kind, 'runtime')

  const notProto = (await t.rejects(ctl.request('show protocols NoSuchProto'))) as BirdCommandError
  t.equal(notProto.code, 9002)
  t.equal(notProto.message, 'NoSuchProto is not a protocol')
  t.equal(notProto.kind, 'parse')

  const syntax = (await t.rejects(ctl.request('show frobnicate'))) as BirdCommandError
  t.equal(syntax.code, 9001)
  t.equal(syntax.message, 'syntax error')
  t.equal(syntax.kind, 'parse')

  const ok = await ctl.request('configure "node-a/bird.conf"')
  t.equal(ok.code, 3)
  t.equal(parseConfigureReply(ok.lines).outcome, 'reconfigured')
  t.equal(server.connections, 1, 'errors do not cost the connection')
})

t.test('concurrent requests queue and are answered in order, one command at a time', async (t) => {
  const server = await startReplayServer(t, { answer: recorded(), chunkSize: 7 })
  const ctl = control(t, server.socketPath)
  const cmds = ['show protocols', 'show status', 'show route', 'show frobnicate', 'show memory', 'show status (v6)', 'show route all']
  const settled = await Promise.allSettled(cmds.map((c) => ctl.request(c)))
  t.strictSame(server.commands, cmds, 'sent in the order asked')
  t.equal(server.overlapping, 0, 'never a second command before the reply ended')
  t.equal(server.connections, 1)
  settled.forEach((s, i) => {
    const cmd = cmds[i]!
    if (cmd === 'show frobnicate') {
      t.equal(s.status, 'rejected')
      return
    }
    t.equal(s.status, 'fulfilled', cmd)
    if (s.status === 'fulfilled') t.strictSame(s.value.lines, rawLines(RECORDED[cmd]!), cmd)
  })
})

t.test('two commands on one connection, as recorded from BIRD', async (t) => {
  const [protocols, status] = recordedReplies('raw_v4_two_commands_one_connection.txt')
  const server = await startReplayServer(t, {
    answer: (cmd) => (cmd === 'show protocols' ? protocols : cmd === 'show status' ? status : undefined),
  })
  const ctl = control(t, server.socketPath)
  const [a, b] = await Promise.all([ctl.request('show protocols'), ctl.request('show status')])
  t.equal(parseProtocols(a.lines).length, 8)
  t.equal(parseStatus(b.lines).serverTime.raw, '2026-11-22 11:42:36')
  t.equal(server.connections, 1)
})

t.test('a stalled reply times out; the connection is replaced for the next command', async (t) => {
  const server = await startReplayServer(t, { answer: recorded({ 'show stall': { stall: true } }) })
  const ctl = control(t, server.socketPath)
  t.equal((await ctl.request('show status')).code, 13)
  const stalled = ctl.request('show stall', { timeoutMs: 300 })
  const queued = ctl.request('show protocols') // waits behind the stalled command
  const err = (await t.rejects(stalled)) as BirdTimeoutError
  t.type(err, BirdTimeoutError)
  t.equal(err.command, 'show stall')
  t.equal(err.timeoutMs, 300)
  t.match(err.message, /did not answer "show stall" on .* within 300 ms/)
  t.strictSame((await queued).lines, rawLines('raw_v4_show_protocols.txt'), 'the queued command runs on a new connection')
  t.equal(server.connections, 2)
  t.strictSame(server.commands, ['show status', 'show stall', 'show protocols'])
  await pollUntil('the stalled connection to close', () => server.openConnections === 1, { timeoutMs: 10_000, intervalMs: 20 })
})

t.test('the server dropping the connection mid-command, and while idle', async (t) => {
  const server = await startReplayServer(t, { answer: recorded({ 'down': { drop: true } }) })
  const ctl = control(t, server.socketPath)
  const err = (await t.rejects(ctl.request('down'))) as BirdUnavailableError
  t.type(err, BirdUnavailableError)
  t.equal(err.reason, 'closed')
  t.equal(err.command, 'down')
  t.equal(err.socketPath, server.socketPath)
  t.equal((await ctl.request('show status')).code, 13, 'reconnects for the next command')
  t.equal(server.connections, 2)

  server.dropAll()
  // Once the server sees the socket fully closed, the client has seen the end too.
  await pollUntil('the client to notice', () => server.openConnections === 0, { timeoutMs: 10_000, intervalMs: 20 })
  t.equal((await ctl.request('show route')).lines.length, 4)
  t.equal(server.connections, 3)
})

t.test('no socket, a stale socket: BirdUnavailableError with the path', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fa-bc-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const missing = join(dir, 'nosuch.ctl')
  const ctl = control(t, missing)
  const err = (await t.rejects(ctl.request('show status'))) as BirdUnavailableError
  t.type(err, BirdUnavailableError)
  t.equal(err.reason, 'missing')
  t.equal(err.socketPath, missing)
  // birdc's own words for the same situation (birdc_no_socket.txt).
  const birdc = birdFixture('birdc_no_socket.txt').split('\n')[0]!.replace('/etc/bird/lab/nosuch.ctl', missing)
  t.equal(err.message, birdc)

  const stale = join(dir, 'stale.ctl')
  await writeFile(stale, '')
  const err2 = (await t.rejects(control(t, stale).request('show status'))) as BirdUnavailableError
  t.equal(err2.reason, 'refused')
  t.equal(err2.message, `Unable to connect to server control socket (${stale}): Connection refused`)
})

t.test('async "+" lines go to onAsync and never into a reply', async (t) => {
  const asyncs: string[] = []
  const server = await startReplayServer(t, {
    answer: recorded({
      'show status': '1000-BIRD 1.6.8\n+Reconfiguring\n1011-Router ID is 10.99.0.1\n Current server time is 2026-11-22 11:42:35\n+Config timeout expired, starting undo\n Last reboot on 2026-11-22 11:40:21\n Last reconfiguration on 2026-11-22 11:42:35\n0013 Daemon is up and running\n+after the reply\n',
    }),
    chunkSize: 3,
  })
  const ctl = control(t, server.socketPath, 10_000, (text) => asyncs.push(text))
  const reply = await ctl.request('show status')
  t.strictSame(reply.lines, rawLines('raw_v4_show_status.txt'))
  t.equal((await ctl.request('show route')).code, 0, 'an async line between replies does not disturb the next one')
  t.strictSame(asyncs, ['Reconfiguring', 'Config timeout expired, starting undo', 'after the reply'])
})

t.test('a command is one line', async (t) => {
  const server = await startReplayServer(t, { answer: recorded() })
  const ctl = control(t, server.socketPath)
  const err = await t.rejects(ctl.request('show status\nconfigure "x"'))
  t.type(err, BirdControlError)
  t.match((err as Error).message, /one line/)
  t.strictSame(server.commands, [], 'nothing was sent')
})

t.test('garbage from the socket is a BirdProtocolError and costs the connection', async (t) => {
  const server = await startReplayServer(t, { answer: recorded({ 'show garbage': 'HTTP/1.1 400 Bad Request\n' }) })
  const ctl = control(t, server.socketPath)
  const err = (await t.rejects(ctl.request('show garbage'))) as BirdProtocolError
  t.type(err, BirdProtocolError)
  t.equal(err.line, 'HTTP/1.1 400 Bad Request')
  t.equal((await ctl.request('show status')).code, 13)
  t.equal(server.connections, 2)

  const noGreeting = await startReplayServer(t, { answer: recorded(), greeting: '0013 Daemon is up and running\n' })
  const err2 = (await t.rejects(control(t, noGreeting.socketPath).request('show status'))) as BirdProtocolError
  t.type(err2, BirdProtocolError)
  t.match(err2.message, /expected the 0001 greeting/)
})

t.test('close() fails what is queued and in flight, then refuses new work', async (t) => {
  const server = await startReplayServer(t, { answer: recorded({ 'show stall': { stall: true } }) })
  const ctl = new BirdControl({ socketPath: server.socketPath })
  const inFlight = ctl.request('show stall')
  const queued = ctl.request('show status')
  await pollUntil('the stalled command to arrive', () => server.commands.length === 1, { timeoutMs: 10_000, intervalMs: 10 })
  const outcomes = Promise.allSettled([inFlight, queued])
  await ctl.close()
  for (const o of await outcomes) {
    t.equal(o.status, 'rejected')
    if (o.status === 'rejected') {
      t.type(o.reason, BirdUnavailableError)
      t.equal((o.reason as BirdUnavailableError).reason, 'client-closed')
    }
  }
  t.equal(((await t.rejects(ctl.request('show status'))) as BirdUnavailableError).reason, 'client-closed')
  await pollUntil('the server to see the close', () => server.openConnections === 0, { timeoutMs: 10_000, intervalMs: 20 })
  await ctl.close()
})

t.test('stream(): the same lines as request(), as they arrive', async (t) => {
  const server = await startReplayServer(t, { answer: recorded({ 'show stall': { stall: true } }), chunkSize: 5 })
  const ctl = control(t, server.socketPath)
  const lines: ReplyLine[] = []
  const iterable = ctl.stream('show protocols all')
  t.equal(server.commands.length, 0, 'nothing is sent before iteration starts')
  for await (const l of iterable) lines.push(l)
  t.strictSame(lines, rawLines('raw_v4_show_protocols_all_mixed.txt'))
  const again: ReplyLine[] = []
  for await (const l of iterable) again.push(l)
  t.strictSame(again, lines, 'iterating again runs the command again')
  t.strictSame(
    await runParserAsync(createProtocolDetailsParser(), ctl.stream('show protocols all')),
    parseProtocolDetails(rawLines('raw_v4_show_protocols_all_mixed.txt')),
    'a line parser consumes the stream as it comes',
  )

  const err = await t.rejects(async () => {
    for await (const _ of ctl.stream('show protocols "Nothing*"')) t.fail('no lines before the error')
  })
  t.equal((err as BirdCommandError).code, 8003)

  const timeout = await t.rejects(async () => {
    for await (const _ of ctl.stream('show stall', { timeoutMs: 300 })) t.fail('no lines')
  })
  t.type(timeout, BirdTimeoutError)
  t.equal(server.connections, 1, 'a new connection is opened only when needed')

  // Leaving early throws the rest of the reply away with the connection.
  for await (const l of ctl.stream('show route all')) {
    t.equal(l.code, 1007)
    break
  }
  t.strictSame((await ctl.request('show route')).lines, rawLines('raw_v4_show_route.txt'))
  t.equal(server.connections, 3)
  t.strictSame(server.commands, ['show protocols all', 'show protocols all', 'show protocols all', 'show protocols "Nothing*"', 'show stall', 'show route all', 'show route'])
})

t.test('a full accept queue (EAGAIN, a hung or overloaded BIRD) is "busy", and says so', async (t) => {
  const cause = Object.assign(new Error('connect EAGAIN /run/bird.ctl'), { code: 'EAGAIN' })
  const err = new BirdUnavailableError('/run/bird.ctl', reasonForErrno('EAGAIN'), 'show status', { cause })
  t.equal(err.reason, 'busy')
  t.equal(err.message, 'Unable to connect to server control socket (/run/bird.ctl): Resource temporarily unavailable (BIRD is not accepting connections: hung or overloaded)')
})

t.test('streamBatches(): the same lines as stream(), several to a step, errors after the lines before them', async (t) => {
  const server = await startReplayServer(t, { answer: recorded({}), chunkSize: 200 })
  const ctl = control(t, server.socketPath)
  const batches: (readonly ReplyLine[])[] = []
  for await (const b of ctl.streamBatches('show route all')) batches.push(b)
  t.strictSame(batches.flat(), rawLines('raw_v4_show_route_all.txt'), 'every line, the final one included, in order')
  t.ok(batches.every((b) => b.length > 0), 'no empty batch')
  t.strictSame(
    parseRoutes(batches.flat()),
    parseRoutes(rawLines('raw_v4_show_route_all.txt')),
  )

  const err = await t.rejects(async () => {
    for await (const _ of ctl.streamBatches('show protocols "Nothing*"')) t.fail('no lines before the error')
  })
  t.equal((err as BirdCommandError).code, 8003)

  // A long reply: many lines to a batch, and never more than the throttle lets pile up.
  const routes = 20_000
  const big = await startReplayServer(t, { answer: (c) => (c === 'show route' ? { generate: generatedRouteReply(routes) } : undefined) })
  const bigCtl = control(t, big.socketPath)
  const sizes: number[] = []
  for await (const b of bigCtl.streamBatches('show route')) sizes.push(b.length)
  const lines = sizes.reduce((a, b) => a + b, 0)
  t.equal(lines, routes + 1, 'every route line and the final line')
  t.ok(sizes.length * 10 < lines, `${lines} lines in ${sizes.length} batches`)
  t.ok(Math.max(...sizes) <= 2 * HIGH_WATER_LINES, `no batch beyond the throttle's bound (largest ${Math.max(...sizes)})`)

  // Leaving early throws the rest of the reply away with the connection.
  for await (const b of ctl.streamBatches('show route all')) {
    t.equal(b[0]?.code, 1007)
    break
  }
  t.strictSame((await ctl.request('show route')).lines, rawLines('raw_v4_show_route.txt'), 'the next command is fine')
})
