import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { BirdControl } from '../../../src/bird/control/index.js'
import { parseRouteBatches, parseRouteStream, type Route } from '../../../src/bird/replies/index.js'
import { generatedRoute, generatedRouteReply, recordedReply, startReplayServer } from '../../helpers/replay-server.js'

const ROUTES = 1_000_000
const MAX_GROWTH = 64 * 1024 * 1024

// tap runs this file without --expose-gc; V8 can still be asked for it at run time.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  gc()
  return process.memoryUsage().heapUsed
}

t.setTimeout(240_000)

/** Every route of one read, one at a time, whichever interface hands them out. */
type Reader = (ctl: BirdControl) => AsyncIterable<Route>

async function* flatten(batches: AsyncIterable<readonly Route[]>): AsyncIterable<Route> {
  for await (const batch of batches) yield* batch
}

const READERS: Record<string, Reader> = {
  'stream() and parseRouteStream': (ctl) => parseRouteStream(ctl.stream('show route')),
  'streamBatches() and parseRouteBatches': (ctl) => flatten(parseRouteBatches(ctl.streamBatches('show route'))),
}

for (const [name, read] of Object.entries(READERS)) {
t.test(`${ROUTES} routes through ${name} with bounded memory`, async (t) => {
  const server = await startReplayServer(t, {
    answer: (cmd) =>
      cmd === 'show route' ? { generate: generatedRouteReply(ROUTES) } : cmd === 'show status' ? recordedReply('raw_v4_show_status.txt') : undefined,
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
  for await (const r of read(ctl)) {
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
}
