import type { AddressFamily, Iface, IfaceAddress } from '../interfaces.js'
import type { Chosen, Decision, Selection } from './decision.js'
import { nonGlobalUnicastClass, parseIp } from './ip.js'

/**
 * The walk every interface-scanning method shares: interfaces in kernel order, then their
 * addresses in kernel order; the first address that every rule accepts wins. Each method
 * supplies only its own interface rule and address rule.
 */

/** Why a candidate is skipped, or undefined when it passes. */
export type Rule<T> = (candidate: T) => string | undefined

export interface ScanRules {
  readonly skipInterface: Rule<Iface>
  /** Applied after the common address checks; also says why the winner won. */
  readonly acceptAddress: (address: IfaceAddress) => { readonly skip: string } | { readonly chosen: string }
  /** Why nothing was found, when nothing was. */
  readonly noneReason: string
}

export function scanInterfaces(ifaces: readonly Iface[], family: AddressFamily, rules: ScanRules): Selection {
  const trace: Decision[] = []
  let chosen: Chosen | undefined
  for (const iface of ifaces) {
    if (chosen !== undefined) {
      trace.push({ interface: iface.name, decision: 'skipped', reason: `not examined: ${chosen.address} on ${chosen.interface} was chosen first` })
      continue
    }
    const skip = rules.skipInterface(iface) ?? interfaceDown(iface)
    if (skip !== undefined) {
      trace.push({ interface: iface.name, decision: 'skipped', reason: skip })
      continue
    }
    const ofFamily = iface.addresses.filter((a) => a.family === family)
    if (ofFamily.length === 0) {
      trace.push({ interface: iface.name, decision: 'skipped', reason: `no IPv${family} address` })
      continue
    }
    for (const a of ofFamily) {
      const address = `${a.address}/${a.prefixlen}`
      const unusable = unusableAddress(a)
      const verdict = unusable === undefined ? rules.acceptAddress(a) : { skip: unusable }
      if ('skip' in verdict) {
        trace.push({ interface: iface.name, address, decision: 'skipped', reason: verdict.skip })
        continue
      }
      trace.push({ interface: iface.name, address, decision: 'chosen', reason: verdict.chosen })
      chosen = { address, interface: iface.name }
      break
    }
  }
  return chosen === undefined ? { chosen, reason: rules.noneReason, trace } : { chosen, trace }
}

/**
 * Down interfaces carry no traffic. Dummy and loopback links report operstate UNKNOWN
 * while up (they have no carrier to speak of), so only an explicit DOWN/LOWERLAYERDOWN/
 * NOTPRESENT or a missing UP flag count as down.
 */
export function interfaceDown(iface: Iface): string | undefined {
  if (!iface.flags.includes('UP')) return 'interface is down (administratively: no UP flag)'
  if (DOWN_STATES.has(iface.operstate)) return `interface is down (operstate ${iface.operstate})`
  return undefined
}

const DOWN_STATES = new Set(['DOWN', 'LOWERLAYERDOWN', 'NOTPRESENT'])

/** The checks every method shares: only a usable global-unicast address can route a node. */
export function unusableAddress(a: IfaceAddress): string | undefined {
  const ip = parseIp(a.address)
  if (ip === undefined) return 'not an IP address'
  const klass = nonGlobalUnicastClass(ip)
  if (klass !== undefined) return klass
  if (a.dadfailed) return 'duplicate address detection failed (dadfailed)'
  if (a.tentative) return 'tentative: duplicate address detection has not finished'
  // iproute2 reports IPv4 addresses deprecated too (preferred_lft 0): the host itself
  // has stopped preferring them, so a node must not advertise one.
  if (a.deprecated) return 'deprecated: preferred lifetime is over'
  return undefined
}

/** The first pattern a name matches, for the trace. */
export function firstMatch(patterns: readonly { readonly source: string; readonly regex: RegExp }[], name: string): string | undefined {
  return patterns.find((p) => p.regex.test(name))?.source
}
