import type { AddressFamily, Iface } from '../interfaces.js'
import { selectCanReach } from './can-reach.js'
import { selectCidr } from './cidr.js'
import type { Selection } from './decision.js'
import { AutodetectMethodError } from './errors.js'
import { selectFirstFound } from './first-found.js'
import { selectInterface } from './interface.js'
import { formatAutodetectMethod, type AutodetectMethod } from './method.js'
import { selectSkipInterface } from './skip-interface.js'

/**
 * A method that cannot produce an address of `family` is a configuration mistake (an IPv4
 * destination in IP6_AUTODETECTION_METHOD), not an empty host: say so up front.
 */
export function checkMethodFamily(method: AutodetectMethod, family: AddressFamily): void {
  const text = formatAutodetectMethod(method)
  if (method.kind === 'can-reach' && method.destination.kind === 'ip' && method.destination.family !== family) {
    throw new AutodetectMethodError(
      text,
      `${method.destination.address} is an IPv${method.destination.family} address but IPv${family} autodetection needs an IPv${family} destination`,
      method.destination.address,
    )
  }
  if (method.kind === 'cidr' && !method.cidrs.some((c) => c.family === family)) {
    throw new AutodetectMethodError(text, `none of the CIDRs is IPv${family}, so no IPv${family} address can match`)
  }
}

/**
 * The whole selection as a pure function of the interface list and, for can-reach, of the
 * kernel's source address toward the destination (undefined: no route).
 */
export function selectAddress(
  method: AutodetectMethod,
  family: AddressFamily,
  ifaces: readonly Iface[],
  kernelSource?: string,
): Selection {
  checkMethodFamily(method, family)
  switch (method.kind) {
    case 'first-found':
      return selectFirstFound(ifaces, family)
    case 'skip-interface':
      return selectSkipInterface(ifaces, family, method.patterns)
    case 'interface':
      return selectInterface(ifaces, family, method.patterns)
    case 'cidr':
      return selectCidr(ifaces, family, method.cidrs)
    case 'can-reach': {
      const d = method.destination
      return selectCanReach(ifaces, family, d.kind === 'ip' ? d.address : d.name, kernelSource)
    }
  }
}
