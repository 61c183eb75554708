import type { PeerType } from '../api/types.js'

export type IpFamily = 4 | 6

/** One BGP session as the health checks and metrics see it. */
export interface PeerSample {
  /** BIRD protocol name, e.g. `Mesh_10_99_0_2`. */
  readonly protocol: string
  readonly peerIP: string
  readonly type: PeerType
  /** BGP state as BIRD prints it (`Established`, `Active`, …); '' when BIRD did not say. */
  readonly bgpState: string
  /** When the protocol entered its current state (ms since the epoch), when BIRD's time could be read. */
  readonly sinceMs?: number
  /** The session's route counts, when BIRD printed them (an up session). */
  readonly routes?: RouteCountsSample
}

/**
 * BIRD's "Routes:" line; `filtered` only with `import keep filtered`; `exported` and
 * `preferred` absent where the daemon does not count them (gobgpd).
 */
export interface RouteCountsSample {
  readonly imported: number
  readonly exported?: number
  readonly filtered?: number
  readonly preferred?: number
}

export interface ProtocolRoutes extends RouteCountsSample {
  readonly protocol: string
}

/** What one poll of a BIRD daemon's control socket found. */
export type BirdSample =
  | { readonly answering: false; readonly reason: string }
  | {
      readonly answering: true
      readonly peers: readonly PeerSample[]
      readonly routes: readonly ProtocolRoutes[]
    }

export function isEstablished(peer: PeerSample): boolean {
  return peer.bgpState === 'Established'
}
