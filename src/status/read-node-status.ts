import type { FamilyReader } from './family-reader.js'
import type { FamilyStatus, NodeStatusView } from './node-status-view.js'
import { peerRows } from './peers.js'
import type { IpFamily } from './samples.js'

/**
 * Asks each family's reader, side by side, for `show status` (its clock shortens SINCE)
 * and `show protocols all` (the neighbor addresses). The readers come from the backend
 * (src/backends/status-readers.ts opens them from the control sockets alone: no root
 * needed when the sockets are accessible).
 */
export async function readNodeStatus(readers: { readonly v4: FamilyReader; readonly v6: FamilyReader }): Promise<NodeStatusView> {
  const [v4, v6] = await Promise.all([readFamily(readers.v4, 4), readFamily(readers.v6, 6)])
  return { v4, v6 }
}

async function readFamily(reader: FamilyReader, family: IpFamily): Promise<FamilyStatus> {
  try {
    // Side by side: a BIRD control client queues them anyway, and gobgpd's answers each
    // cost a client run.
    const [status, protocols] = await Promise.all([reader.status(), reader.protocols()])
    return { running: true, serverTime: status.serverTime, peers: peerRows(protocols, family) }
  } catch (err) {
    // Whatever the failure (absent, refused, silent), this family's status is unavailable.
    return { running: false, reason: err instanceof Error ? err.message : String(err) }
  }
}
