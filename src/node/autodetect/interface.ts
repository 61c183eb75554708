import type { AddressFamily, Iface } from '../interfaces.js'
import { firstMatch, scanInterfaces } from './candidates.js'
import type { Selection } from './decision.js'
import type { InterfacePattern } from './method.js'

/**
 * interface=REGEX,…: the first interface (kernel order) matching any regex that has a
 * usable address. No default excludes: naming `docker0` here means the operator wants it.
 */
export function selectInterface(
  ifaces: readonly Iface[],
  family: AddressFamily,
  patterns: readonly InterfacePattern[],
): Selection {
  const list = patterns.map((p) => p.source).join(', ')
  return scanInterfaces(ifaces, family, {
    skipInterface: (iface) => (firstMatch(patterns, iface.name) === undefined ? `does not match ${list}` : undefined),
    acceptAddress: () => ({ chosen: `first global-unicast IPv${family} address on an interface matching ${list}` }),
    noneReason: `no interface matching ${list} has a usable global-unicast IPv${family} address`,
  })
}
