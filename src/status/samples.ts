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
}

export interface ProtocolRoutes {
  readonly protocol: string
  readonly imported: number
  readonly exported: number
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
