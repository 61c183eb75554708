import type { AddressFamily, Iface } from '../interfaces.js'
import { firstMatch, scanInterfaces } from './candidates.js'
import type { Selection } from './decision.js'
import { DEFAULT_EXCLUDE_PATTERNS } from './default-excludes.js'
import type { InterfacePattern } from './method.js'

/** skip-interface=REGEX,…: first-found with the operator's excludes added to the defaults. */
export function selectSkipInterface(
  ifaces: readonly Iface[],
  family: AddressFamily,
  patterns: readonly InterfacePattern[],
): Selection {
  return scanInterfaces(ifaces, family, {
    skipInterface: (iface) => {
      const own = firstMatch(patterns, iface.name)
      if (own !== undefined) return `matches skip-interface regex ${own}`
      const dflt = firstMatch(DEFAULT_EXCLUDE_PATTERNS, iface.name)
      return dflt === undefined ? undefined : `matches default exclude ${dflt}`
    },
    acceptAddress: () => ({ chosen: `first global-unicast IPv${family} address on an interface not skipped` }),
    noneReason: `no interface outside the skip list and the default excludes has a usable global-unicast IPv${family} address`,
  })
}
