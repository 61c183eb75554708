import { BGP_PORT } from './nodes.js'
import type { PeerKind } from './types.js'

/**
 * Calico's protocol names: `Mesh_10_99_0_2`, `Global_fd99__1`, `Node_10_99_0_1_port_1790`.
 * Built from canonical addresses only, so a name is a valid BIRD symbol and stable.
 */
export function protocolName(kind: PeerKind, address: string, port: number): string {
  const id = address.replace(/[.:]/g, '_')
  return port === BGP_PORT ? `${kind}_${id}` : `${kind}_${id}_port_${port}`
}
