import type { AddressFamily, Iface } from '../interfaces.js'
import { scanInterfaces } from './candidates.js'
import type { Selection } from './decision.js'
import { cidrContains, parseIp, type Cidr } from './ip.js'

/**
 * cidr=CIDR,…: the first address (interfaces in kernel order) inside any of the CIDRs.
 * The caller has checked that at least one CIDR is of `family`. No default excludes.
 */
export function selectCidr(ifaces: readonly Iface[], family: AddressFamily, cidrs: readonly Cidr[]): Selection {
  const mine = cidrs.filter((c) => c.family === family)
  const list = mine.map((c) => c.text).join(', ')
  return scanInterfaces(ifaces, family, {
    skipInterface: () => undefined,
    acceptAddress: (a) => {
      const ip = parseIp(a.address)
      const inside = ip === undefined ? undefined : mine.find((c) => cidrContains(c, ip))
      return inside === undefined ? { skip: `not inside ${list}` } : { chosen: `inside ${inside.text}` }
    },
    noneReason: `no usable address inside ${list}`,
  })
}
