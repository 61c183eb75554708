import { parseIP, type IPFamily as IpFamily } from '../../api/validate/index.js'
import type { Iface } from '../interfaces.js'
import { StartupError } from './errors.js'
import type { AddressSetting, AutodetectSetting } from './run-config.js'

/**
 * Which routing address of one family the node gets, decided purely from the setting,
 * the address already stored on the node, the host's interfaces and (when asked for) an
 * autodetection outcome. Returns the lines an operator reads along with the decision.
 *
 * The rules are calico/node's: an explicit address wins (its prefix length read from the
 * interface that holds it); `autodetect` always detects; with neither, the stored address
 * is kept, and only IPv4 is detected when nothing is stored. IPv6 is used only when asked.
 */

export type AutodetectOutcome =
  | { readonly ok: true; readonly address: string; readonly interface: string }
  | { readonly ok: false; readonly reason: string }

export interface AddressDecision {
  /** CIDR form (`10.99.0.2/24`) or undefined: this node has no address of the family. */
  readonly address: string | undefined
  /** The address came from autodetection (conflicts then get a different hint). */
  readonly autodetected: boolean
  readonly lines: readonly string[]
}

/** Whether deciding needs an autodetection run first. */
export function needsAutodetect(family: IpFamily, setting: AddressSetting, stored: string | undefined): boolean {
  return setting.kind === 'autodetect' || (setting.kind === 'unset' && stored === undefined && family === 4)
}

export function decideAddress(input: {
  readonly family: IpFamily
  readonly setting: AddressSetting
  readonly autodetection: AutodetectSetting
  readonly stored: string | undefined
  readonly ifaces: readonly Iface[]
  /** Required when needsAutodetect() said so. */
  readonly detected?: AutodetectOutcome
}): AddressDecision {
  const { family, setting, stored, ifaces } = input
  const v = `IPv${family}`

  if (setting.kind === 'explicit') {
    const holder = findHolder(ifaces, family, setting.ip)
    const source = setting.from.startsWith('--') ? `${setting.from}=` : `environment: ${setting.from}=`
    const lines = [`Using ${v} address from ${source}${setting.ip}${setting.prefixlen === undefined ? '' : `/${setting.prefixlen}`}`]
    if (holder) {
      lines.push(`${v} address ${setting.ip} discovered on interface ${holder.interface}`)
    } else {
      lines.push(`WARNING: Could not confirm that the provided ${v} address is assigned to this host.`)
    }
    const prefixlen = setting.prefixlen ?? holder?.prefixlen ?? (family === 4 ? 32 : 128)
    return { address: `${setting.ip}/${prefixlen}`, autodetected: false, lines }
  }

  if (needsAutodetect(family, setting, stored)) {
    const detected = input.detected
    if (detected === undefined) throw new Error(`internal: ${v} autodetection outcome missing`)
    if (detected.ok) {
      return {
        address: detected.address,
        autodetected: true,
        lines: [`Using autodetected ${v} address on interface ${detected.interface}: ${detected.address}`],
      }
    }
    if (stored !== undefined) {
      return {
        address: stored,
        autodetected: false,
        lines: [
          `WARNING: Autodetection of ${v} address failed (${detected.reason}), keeping existing value: ${stored}`,
          ...confirmLines(family, stored, ifaces),
        ],
      }
    }
    const flag = family === 4 ? '--ip' : '--ip6'
    throw new StartupError(`Couldn't autodetect an ${v} address (${input.autodetection.text}): ${detected.reason}`, [
      `provide an ${v} address with ${flag} (${family === 4 ? 'IP' : 'IP6'}), or configure one on the node resource, or`,
      `use a different autodetection method (${flag}-autodetection-method)`,
    ])
  }

  if (stored !== undefined) {
    return { address: stored, autodetected: false, lines: [`Using configured ${v} address: ${stored}`, ...confirmLines(family, stored, ifaces)] }
  }
  return { address: undefined, autodetected: false, lines: [`No ${v} address configured`] }
}

function confirmLines(family: IpFamily, cidr: string, ifaces: readonly Iface[]): string[] {
  const ip = cidr.split('/')[0] ?? cidr
  const holder = findHolder(ifaces, family, ip)
  return holder
    ? [`IPv${family} address ${ip} discovered on interface ${holder.interface}`]
    : [`WARNING: Could not confirm that the provided IPv${family} address is assigned to this host.`]
}

/** The interface holding `ip`, compared as numbers (`fd99:0::2` is `fd99::2`). */
export function findHolder(
  ifaces: readonly Iface[],
  family: IpFamily,
  ip: string,
): { interface: string; prefixlen: number } | undefined {
  const wanted = canonicalIp(ip)
  if (wanted === undefined) return undefined
  for (const iface of ifaces) {
    for (const a of iface.addresses) {
      if (a.family === family && canonicalIp(a.address) === wanted) return { interface: iface.name, prefixlen: a.prefixlen }
    }
  }
  return undefined
}

/** `10.0.0.1/24` or `10.0.0.1` → `10.0.0.1`, canonical text; undefined when not an address. */
export function canonicalIp(addressOrCidr: string): string | undefined {
  try {
    return parseIP(addressOrCidr.split('/')[0] ?? '').address
  } catch {
    return undefined
  }
}
