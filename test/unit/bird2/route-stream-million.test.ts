import t from 'tap'
import { parseRouteStream } from '../../../src/backends/bird2/replies/index.js'
import { BIRD2_GREETING, bird2Fixture } from '../../helpers/bird2-fixtures.js'
import { MILLION_ROUTES, checkMillionRoutes } from '../../helpers/million-routes.js'
import { generatedRoute } from '../../helpers/replay-server.js'

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

t.setTimeout(240_000)

t.test(`${MILLION_ROUTES} BIRD 2 routes through stream() and parseRouteStream with bounded memory`, (t) =>
  checkMillionRoutes(t, {
    greeting: BIRD2_GREETING,
    routeReply: generatedBird2RouteReply(MILLION_ROUTES),
    statusReply: bird2Fixture('raw_a_show_status.txt').slice(BIRD2_GREETING.length),
    read: (ctl) => parseRouteStream(ctl.stream('show route')),
  }))
