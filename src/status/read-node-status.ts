import { BirdControl } from '../bird/control/index.js'
import { queryProtocols, queryStatus } from './bird-queries.js'
import type { FamilyStatus, NodeStatusView } from './node-status-view.js'
import { peerRows } from './peers.js'
import type { IpFamily } from './samples.js'

export interface NodeStatusSockets {
  readonly birdSocket: string
  readonly bird6Socket: string
}

/**
 * Asks both daemons, side by side, for `show status` (its clock shortens SINCE) and
 * `show protocols all` (the neighbor addresses). Only the sockets are touched: no root
 * needed when they are accessible.
 */
export async function readNodeStatus(sockets: NodeStatusSockets, timeoutMs = 5_000): Promise<NodeStatusView> {
  const [v4, v6] = await Promise.all([
    readFamily(sockets.birdSocket, 4, timeoutMs),
    readFamily(sockets.bird6Socket, 6, timeoutMs),
  ])
  return { v4, v6 }
}

async function readFamily(socketPath: string, family: IpFamily, timeoutMs: number): Promise<FamilyStatus> {
  const control = new BirdControl({ socketPath, timeoutMs })
  try {
    const status = await queryStatus(control)
    const protocols = await queryProtocols(control)
    return { running: true, serverTime: status.serverTime, peers: peerRows(protocols, family) }
  } catch (err) {
    // Whatever the failure (absent, refused, silent), this daemon's status is unavailable.
    return { running: false, reason: err instanceof Error ? err.message : String(err) }
  } finally {
    await control.close()
  }
}
