import type { Node } from '../../api/types.js'
import type { IPFamily as IpFamily } from '../../api/validate/index.js'
import { canonicalIp } from './addresses.js'

/**
 * Two nodes with one routing address would each announce the other's routes: calico/node
 * refuses to start when another node already uses the address it is about to take. A
 * changed address on our own node is only a warning (it may really have changed, or two
 * hosts share a node name).
 */

export interface AddressConflict {
  readonly family: IpFamily
  readonly ip: string
  readonly otherNode: string
}

export interface AddressChange {
  readonly family: IpFamily
  readonly from: string
  readonly to: string
}

export interface ConflictCheck {
  readonly conflicts: readonly AddressConflict[]
  readonly changes: readonly AddressChange[]
}

export function checkAddressConflicts(
  nodeName: string,
  addresses: { readonly ipv4?: string | undefined; readonly ipv6?: string | undefined },
  nodes: readonly Node[],
): ConflictCheck {
  const conflicts: AddressConflict[] = []
  const changes: AddressChange[] = []
  const ours: [IpFamily, string | undefined][] = [
    [4, addresses.ipv4 === undefined ? undefined : canonicalIp(addresses.ipv4)],
    [6, addresses.ipv6 === undefined ? undefined : canonicalIp(addresses.ipv6)],
  ]
  for (const node of [...nodes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const bgp = node.spec.bgp
    if (bgp === undefined) continue
    for (const [family, ip] of ours) {
      if (ip === undefined) continue
      const theirs = family === 4 ? bgp.ipv4Address : bgp.ipv6Address
      const theirIp = theirs === undefined ? undefined : canonicalIp(theirs)
      if (theirIp === undefined) continue
      if (node.metadata.name === nodeName) {
        if (theirIp !== ip) changes.push({ family, from: theirIp, to: ip })
      } else if (theirIp === ip) {
        conflicts.push({ family, ip, otherNode: node.metadata.name })
      }
    }
  }
  return { conflicts, changes }
}

export function conflictLine(c: AddressConflict): string {
  return `Calico node '${c.otherNode}' is already using the IPv${c.family} address ${c.ip}.`
}

export function changeLines(nodeName: string, c: AddressChange): string[] {
  return [
    `WARNING: Calico node '${nodeName}' IPv${c.family} address has changed:`,
    ' -  This could happen if multiple nodes are configured with the same name',
    ` -  Original IP: ${c.from}`,
    ` -  Updated IP: ${c.to}`,
  ]
}
