import type { AddressFamily, Iface } from '../interfaces.js'
import { firstMatch, scanInterfaces } from './candidates.js'
import type { Selection } from './decision.js'
import { DEFAULT_EXCLUDE_PATTERNS } from './default-excludes.js'

/** first-found: the first global-unicast address on an interface not in the default excludes. */
export function selectFirstFound(ifaces: readonly Iface[], family: AddressFamily): Selection {
  return scanInterfaces(ifaces, family, {
    skipInterface: (iface) => {
      const hit = firstMatch(DEFAULT_EXCLUDE_PATTERNS, iface.name)
      return hit === undefined ? undefined : `matches default exclude ${hit}`
    },
    acceptAddress: () => ({ chosen: `first global-unicast IPv${family} address on an interface not excluded` }),
    noneReason: `no interface outside the default excludes has a usable global-unicast IPv${family} address`,
  })
}
