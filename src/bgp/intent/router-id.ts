import { createHash } from 'node:crypto'

/**
 * Calico's `hashToIPv4`: the first four bytes of sha256(node name) as a dotted quad,
 * with the first octet moved out of the multicast/reserved range (> 223 → − 32) so the
 * id is one BGP accepts. Same result as calico/node for the same name.
 */
export function hashRouterId(nodeName: string): string {
  const b = createHash('sha256').update(nodeName, 'utf8').digest()
  const first = b[0]! > 223 ? b[0]! - 32 : b[0]!
  return `${first}.${b[1]!}.${b[2]!}.${b[3]!}`
}
