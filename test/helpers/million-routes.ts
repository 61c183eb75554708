import type { Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { BirdControl } from '../../src/bird/control/index.js'
import type { Route } from '../../src/bird/replies/index.js'
import { generatedRoute, startReplayServer } from './replay-server.js'

/**
 * The million-route streaming check shared by the BIRD 1.6 and BIRD 2 readers: a replay
 * server sends `show route` as `routeReply` generates it (routes as `generatedRoute`
 * describes them, in the daemon's own layout); the reader under test must yield every
 * route, as generated, while the heap stays bounded and the consumer stalls now and then.
 */
export const MILLION_ROUTES = 1_000_000
const MAX_GROWTH = 64 * 1024 * 1024

// tap runs these files without --expose-gc; V8 can still be asked for it at run time.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  gc()
  return process.memoryUsage().heapUsed
}

export interface MillionRoutesOptions {
  /** BIRD's greeting line (default BIRD 1.6.8's). */
  readonly greeting?: string
  /** `show route` of MILLION_ROUTES routes in wire format, a piece at a time. */
  readonly routeReply: () => Iterable<string>
  /** The wire text answering `show status` (code 0013). */
  readonly statusReply: string
  /** Every route of one `show route` read, one at a time, through the interface under test. */
  readonly read: (ctl: BirdControl) => AsyncIterable<Route>
}

export async function checkMillionRoutes(t: Test, opts: MillionRoutesOptions): Promise<void> {
  const server = await startReplayServer(t, {
    ...(opts.greeting !== undefined && { greeting: opts.greeting }),
    answer: (cmd) => (cmd === 'show route' ? { generate: opts.routeReply } : cmd === 'show status' ? opts.statusReply : undefined),
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
  for await (const r of opts.read(ctl)) {
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

  t.equal(count, MILLION_ROUTES, 'exactly every route')
  t.equal(firstMismatch, undefined, 'every route as generated')
  t.equal(fib, MILLION_ROUTES - MILLION_ROUTES / 4, 'every fourth route is a second, non-selected path')
  t.ok(peak < MAX_GROWTH, `peak heap growth ${(peak / 1048576).toFixed(1)} MiB < 64 MiB`)
  // Under tap's async hooks this is far slower than in production; bench figures come from elsewhere.
  t.comment(`${count} routes in ${seconds.toFixed(2)} s, replay server in the same process`)
  t.equal((await ctl.request('show status')).code, 13, 'the connection is fine afterwards')
  t.equal(server.connections, 1)
}
