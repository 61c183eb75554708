import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { BirdControl } from '../../../src/bird/control/index.js'
import { parseRouteStream } from '../../../src/backends/bird2/replies/index.js'
import { BIRD2_GREETING, bird2Fixture } from '../../helpers/bird2-fixtures.js'
import { generatedRoute, startReplayServer } from '../../helpers/replay-server.js'

const ROUTES = 1_000_000
const MAX_GROWTH = 64 * 1024 * 1024

// tap runs this file without --expose-gc; V8 can still be asked for it at run time.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  gc()
  return process.memoryUsage().heapUsed
}

/**
 * Route `i` of `generatedRoute` in BIRD 2's layout: the destination is "unicast" with the
 * next hop on its own tab-indented line (or blackhole), times with milliseconds.
 */
function routeText(i: number): string {
  const r = generatedRoute(i)
  const dest = (i % 4 === 3 ? '' : r.network).padEnd(20, ' ')
  switch (i % 4) {
    case 0:
      return `${dest} unicast [Mesh_10_99_0_2 11:42:35.123] * (100) [AS64513i]\n \tvia 10.99.0.2 on eth0`
    case 1:
      return `${dest} blackhole [pod_blocks 11:40:21.004] * (200)`
    case 2:
      return `${dest} unicast [direct1 11:40:21.004] * (240)\n \tdev eth0`
    default:
      return `${dest} unicast [Mesh_10_99_0_3 2026-11-22 11:42:36] (100) [AS64514?]\n \tvia 10.99.0.3 on eth1`
  }
}

/** A BIRD 2 `show route` reply of `count` routes in wire format, made ~64 KiB at a time. */
function generatedBird2RouteReply(count: number): () => Iterable<string> {
  return function* () {
    let piece = '1007-Table master4:\n'
    for (let i = 0; i < count; i++) {
      piece += ' ' + routeText(i) + '\n'
      if (piece.length >= 65_536) {
        yield piece
        piece = ''
      }
    }
    yield `${piece}0000 \n`
  }
}

const STATUS = bird2Fixture('raw_a_show_status.txt').slice(BIRD2_GREETING.length)

t.setTimeout(240_000)

t.test(`${ROUTES} BIRD 2 routes through stream() and parseRouteStream with bounded memory`, async (t) => {
  const server = await startReplayServer(t, {
    greeting: BIRD2_GREETING,
    answer: (cmd) => (cmd === 'show route' ? { generate: generatedBird2RouteReply(ROUTES) } : cmd === 'show status' ? STATUS : undefined),
  })
  const ctl = new BirdControl({ socketPath: server.socketPath, timeoutMs: 30_000 })
  t.teardown(() => ctl.close())
  await ctl.request('show status') // connect first, so the connection is in the baseline

  const base = heapAfterGc()
  let peak = 0
  let count = 0
  let fib = 0
  let firstMismatch: string | undefined
  const started = performance.now()
  for await (const r of parseRouteStream(ctl.stream('show route'))) {
    const want = generatedRoute(count)
    const gateway = r.destination.kind === 'via' ? r.destination.gateway : undefined
    if (
      firstMismatch === undefined &&
      (r.network !== want.network || r.destination.kind !== want.kind || gateway !== want.gateway ||
        r.protocol !== want.protocol || r.placement !== want.placement)
    ) {
      firstMismatch = `route ${count}: got ${JSON.stringify(r)}, want ${JSON.stringify(want)}`
    }
    if (r.placement === 'FIB') fib++
    count++
    // A consumer that stalls now and then while BIRD could send on: the lines must wait in
    // BIRD (the kernel buffer fills, then BIRD blocks), not in our heap.
    if (count % 100_000 === 0) await sleep(300)
    if (count % 50_000 === 0) peak = Math.max(peak, heapAfterGc() - base)
  }
  const seconds = (performance.now() - started) / 1000
  peak = Math.max(peak, heapAfterGc() - base)

  t.equal(count, ROUTES, 'exactly every route')
  t.equal(firstMismatch, undefined, 'every route as generated')
  t.equal(fib, ROUTES - ROUTES / 4, 'every fourth route is a second, non-selected path')
  t.ok(peak < MAX_GROWTH, `peak heap growth ${(peak / 1048576).toFixed(1)} MiB < 64 MiB`)
  // Under tap's async hooks this is far slower than in production; bench figures come from elsewhere.
  t.comment(`${count} routes in ${seconds.toFixed(2)} s, replay server in the same process`)
  t.equal((await ctl.request('show status')).code, 13, 'the connection is fine afterwards')
  t.equal(server.connections, 1)
})
