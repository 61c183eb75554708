import t from 'tap'
import type { BirdControl } from '../../../src/bird/control/index.js'
import { parseRouteBatches, parseRouteStream, type Route } from '../../../src/bird/replies/index.js'
import { MILLION_ROUTES, checkMillionRoutes } from '../../helpers/million-routes.js'
import { generatedRouteReply, recordedReply } from '../../helpers/replay-server.js'

t.setTimeout(240_000)

async function* flatten(batches: AsyncIterable<readonly Route[]>): AsyncIterable<Route> {
  for await (const batch of batches) yield* batch
}

/** Every route of one read, one at a time, whichever interface hands them out. */
const READERS: Record<string, (ctl: BirdControl) => AsyncIterable<Route>> = {
  'stream() and parseRouteStream': (ctl) => parseRouteStream(ctl.stream('show route')),
  'streamBatches() and parseRouteBatches': (ctl) => flatten(parseRouteBatches(ctl.streamBatches('show route'))),
}

for (const [name, read] of Object.entries(READERS)) {
  t.test(`${MILLION_ROUTES} routes through ${name} with bounded memory`, (t) =>
    checkMillionRoutes(t, { routeReply: generatedRouteReply(MILLION_ROUTES), statusReply: recordedReply('raw_v4_show_status.txt'), read }))
}
