/**
 * Expected values of the reply parsers, written as BIRD prints them; the BIRD 1.6 tests
 * here and the BIRD 2 tests in ../bird2 build their expectations with the same helpers.
 */
import type {
  BgpDetails,
  BgpRouteAttributes,
  BirdTimestamp,
  Route,
  RouteChangeCounters,
  RouteChangeStats,
  RouteDestination,
} from '../../../src/bird/replies/index.js'

type Col = number | '---'
const counters = (received: Col, rejected: Col, filtered: Col, ignored: Col, accepted: Col): RouteChangeCounters => {
  const n = (v: Col) => (v === '---' ? undefined : v)
  return { received: n(received), rejected: n(rejected), filtered: n(filtered), ignored: n(ignored), accepted: n(accepted) }
}

/** A protocol's "Route change stats": BIRD's four rows; the "---" columns are fixed by the row. */
export const routeChangeStats = (
  iu: [number, number, number, number, number],
  iw: [number, number, number, number],
  eu: [number, number, number, number],
  ew: [number, number],
): RouteChangeStats => ({
  importUpdates: counters(...iu),
  importWithdraws: counters(iw[0], iw[1], '---', iw[2], iw[3]),
  exportUpdates: counters(eu[0], eu[1], eu[2], '---', eu[3]),
  exportWithdraws: counters(ew[0], '---', '---', '---', ew[1]),
})

/** A BGP protocol's details that a reply did not state: every optional field unset. */
export const BGP_DETAILS_UNSET = {
  neighborInterface: undefined,
  neighborId: undefined,
  neighborCapabilities: undefined,
  session: undefined,
  sourceAddress: undefined,
  holdTimer: undefined,
  keepaliveTimer: undefined,
  connectDelay: undefined,
  errorWait: undefined,
  restartTimer: undefined,
  routeLimit: undefined,
  lastError: undefined,
  gracefulRestartActive: false,
} as const satisfies Partial<BgpDetails>

/** `route(network, destination, protocol, since, preference, more)` with `since` read by `time`. */
export function routeWith(time: (raw: string) => BirdTimestamp) {
  return (network: string, destination: RouteDestination, protocol: string, since: string, preference: number, more: Partial<Route> = {}): Route => ({
    network,
    destination,
    protocol,
    since: time(since),
    from: undefined,
    placement: 'FIB',
    kernelSyncError: false,
    preference,
    igpMetric: undefined,
    originAs: undefined,
    origin: undefined,
    type: undefined,
    attributes: undefined,
    bgp: undefined,
    ...more,
  })
}

/** A route's BGP attributes: none but those in `more`. */
export function bgpAttributes(more: Partial<BgpRouteAttributes>): BgpRouteAttributes {
  return {
    origin: undefined,
    asPath: undefined,
    nextHop: undefined,
    med: undefined,
    localPref: undefined,
    atomicAggregate: false,
    aggregator: undefined,
    communities: undefined,
    largeCommunities: undefined,
    extCommunities: undefined,
    originatorId: undefined,
    clusterList: undefined,
    ...more,
  }
}
