import type { ProtocolDetails } from '../bird/replies/protocol-details.js'
import type { Route } from '../bird/replies/routes.js'
import type { BirdStatus } from '../bird/replies/status.js'
import { queryProtocols, queryRoutes, queryStatus, type BirdQuery } from './bird-queries.js'

/**
 * What the status model reads from a backend, for one address family, already parsed
 * into the shared reply types. Each backend provides one per family: BIRD 1.6 a daemon
 * per family; BIRD 2 one daemon seen through a family filter; another daemon its own
 * translation. A daemon that is not there throws BirdUnavailableError (an observation,
 * not a failure); a timeout or protocol error throws anything else.
 */
export interface FamilyReader {
  status(): Promise<BirdStatus>
  /** Every protocol of this family (BGP sessions, kernel, static, direct). */
  protocols(): Promise<ProtocolDetails[]>
  /** Streamed from the daemon; only this family's routes. */
  routes(timeoutMs?: number): Promise<Route[]>
}

/** A control client of one BIRD 1.6 daemon (bird or bird6), or a reader already. */
export type BirdSource = BirdQuery | FamilyReader

/** BIRD 1.6: each daemon is one family, its replies parsed by src/bird/replies. */
export function bird1Reader(bird: BirdQuery): FamilyReader {
  return {
    status: () => queryStatus(bird),
    protocols: () => queryProtocols(bird),
    routes: (timeoutMs) => queryRoutes(bird, timeoutMs),
  }
}

export function asReader(source: BirdSource): FamilyReader {
  return 'request' in source ? bird1Reader(source) : source
}
