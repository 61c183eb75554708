import type { BGPPeerStatus, CalicoNodeStatusStatus } from '../../api/types.js'
import type { PeerRow } from '../peers.js'
import { compareAddresses } from './order.js'

export type BgpStatus = NonNullable<CalicoNodeStatusStatus['bgp']>

/**
 * `status.bgp` from each daemon's peers (empty when the daemon did not answer). Peers are
 * sorted by address so the content only changes when a session does, not when BIRD
 * reorders its protocols (a protocol restarted by `configure` moves to the end).
 */
export function populateBgp(v4: readonly PeerRow[], v6: readonly PeerRow[]): BgpStatus {
  const established = (rows: readonly PeerRow[]) => rows.filter((r) => r.bgpState === 'Established').length
  const peersV4 = peers(v4)
  const peersV6 = peers(v6)
  return {
    numberEstablishedV4: established(v4),
    numberEstablishedV6: established(v6),
    numberNotEstablishedV4: v4.length - established(v4),
    numberNotEstablishedV6: v6.length - established(v6),
    ...(peersV4.length > 0 && { peersV4 }),
    ...(peersV6.length > 0 && { peersV6 }),
  }
}

function peers(rows: readonly PeerRow[]): BGPPeerStatus[] {
  return rows
    .map((r) => ({ peerIP: r.peerIP, type: r.type, state: r.bgpState, since: r.since.raw }))
    .sort((a, b) => compareAddresses(a.peerIP, b.peerIP) || a.type.localeCompare(b.type))
}
