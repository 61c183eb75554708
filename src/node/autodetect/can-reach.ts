import type { AddressFamily, Iface } from '../interfaces.js'
import type { Chosen, Decision, Selection } from './decision.js'
import { sameIp } from './ip.js'

/**
 * can-reach=DEST: the kernel already knows which local address it would use toward DEST
 * (`source`, from a connected UDP socket); this only finds the interface holding that
 * address, to learn its prefix length. The kernel's choice is final, so no excludes and
 * no address rules apply here.
 */
export function selectCanReach(
  ifaces: readonly Iface[],
  family: AddressFamily,
  destination: string,
  source: string | undefined,
): Selection {
  if (source === undefined) {
    return { chosen: undefined, reason: `the kernel has no IPv${family} route to ${destination}`, trace: [] }
  }
  const trace: Decision[] = []
  let chosen: Chosen | undefined
  for (const iface of ifaces) {
    const held = chosen === undefined ? iface.addresses.find((a) => a.family === family && sameIp(a.address, source)) : undefined
    if (held === undefined) {
      trace.push({
        interface: iface.name,
        decision: 'skipped',
        reason: chosen === undefined
          ? `does not hold ${source}, the kernel's source address toward ${destination}`
          : `not examined: ${chosen.address} on ${chosen.interface} was chosen first`,
      })
      continue
    }
    chosen = { address: `${held.address}/${held.prefixlen}`, interface: iface.name }
    trace.push({ interface: iface.name, address: chosen.address, decision: 'chosen', reason: `the kernel's source address toward ${destination}` })
  }
  return chosen === undefined
    ? { chosen, reason: `no interface holds ${source}, the kernel's source address toward ${destination}`, trace }
    : { chosen, trace }
}
