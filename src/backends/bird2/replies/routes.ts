import type { LineInput, ParserOptions } from '../../../bird/replies/lines.js'
import {
  RouteReader,
  readRoutes,
  streamRoutes,
  type Mutable,
  type NextHop,
  type Route,
  type RouteDestination,
} from '../../../bird/replies/routes.js'
import { parseTableCountLine } from './route-count.js'

/**
 * BIRD 2's `show route [all]`: the same route lines as BIRD 1.6 up to the destination, but
 * a unicast route says only "unicast" there and lists its next hops on the lines after it:
 *
 *   Table master4:
 *   192.168.81.128/26    unicast [Mesh_10_99_50_2 20:28:39.207] * (100) [i]
 *   	via 10.99.50.2 on fb2a0
 *   10.99.61.0/24        unicast [static4 20:28:34.659] * (200)
 *   	via 10.99.50.2 on fb2a0 weight 1
 *   	via 10.99.51.2 on fb2a1 weight 1
 *   10.99.50.0/24        unicast [direct1 20:28:34.660] * (240)
 *   	dev fb2a0
 *
 * A route is complete only when the next one starts, as with `all` in 1.6, so this is
 * 1.6's reader with those lines taught: it holds one route at a time however long the reply.
 * Every table is listed ("Table master4:", "Table master6:"); a route's family is its
 * network's (see `routeFamily`).
 */
export class Bird2RouteReader extends RouteReader {
  protected override destination(text: string, from: number, to: number): RouteDestination | undefined {
    // Filled in by the next-hop lines; a unicast route without any stays an empty multipath.
    if (to - from === 7 && text.startsWith('unicast', from)) return { kind: 'multipath', nextHops: [] }
    return super.destination(text, from, to)
  }

  protected override nextHopLine(route: Mutable<Route>, text: string): boolean {
    const dest = route.destination
    if (dest.kind !== 'multipath') return false
    const hops = dest.nextHops as NextHop[]
    if (text.startsWith('\tdev ')) {
      if (hops.length > 0) return false
      route.destination = { kind: 'dev', interface: text.slice(5) }
      return true
    }
    // "\tvia GW on IFACE" or, one line per hop of a multipath route, "… weight N".
    const on = text.indexOf(' on ', 5)
    if (on < 0) return false
    const weightAt = text.indexOf(' weight ', on + 4)
    if (weightAt < 0) {
      if (hops.length > 0) return false
      route.destination = { kind: 'via', gateway: text.slice(5, on), interface: text.slice(on + 4) }
      return true
    }
    const weight = Number(text.slice(weightAt + 8))
    if (!Number.isInteger(weight)) return false
    hops.push({ gateway: text.slice(5, on), interface: text.slice(on + 4, weightAt), weight })
    return true
  }

  protected override otherLine(text: string): boolean {
    // "Table master4:" opens each table's routes; `show route stats` ends with the counts.
    return (text.startsWith('Table ') && text.endsWith(':')) || parseTableCountLine(text) !== undefined
  }
}

export function parseRoutes(lines: Iterable<LineInput>, opts: ParserOptions = {}): Route[] {
  return readRoutes(lines, new Bird2RouteReader(opts))
}

/**
 * Routes as the lines stream in, holding one route at a time: feed it
 * `BirdControl.stream('show route')` and memory stays flat however big the table.
 */
export function parseRouteStream(lines: AsyncIterable<LineInput>, opts: ParserOptions = {}): AsyncIterable<Route> {
  return streamRoutes(lines, () => new Bird2RouteReader(opts))
}

/** The one daemon holds both families' routes: which one a route belongs to, by its network. */
export function routeFamily(route: Pick<Route, 'network'>): 4 | 6 {
  return route.network.includes(':') ? 6 : 4
}
