import type { NodeBGPSpec, NodeSpec } from '../types.js'
import { ValidationError } from '../errors.js'
import { parseAsNumber } from './asn.js'
import {
  asArray, asObject, asString, assignOptional, assignOptionalText, checkFields, cloneJson, copyPreserved, item, optionalText,
  required,
} from './fields.js'
import { checkUsableUnicast, type IPFamily, parseCidr, parseIP } from './ip.js'

const BGP_FIELDS = ['asNumber', 'ipv4Address', 'ipv6Address', 'ipv4IPIPTunnelAddr', 'routeReflectorClusterID'] as const

/** Calico Node fields that Felix and calico/node own; falconer keeps them untouched. */
const PRESERVED = [
  'ipv4VXLANTunnelAddr',
  'ipv6VXLANTunnelAddr',
  'vxlanTunnelMACAddr',
  'vxlanTunnelMACAddrV6',
  'ipv6VXLANTunnelMACAddr',
  'wireguard',
  'addresses',
  'interfaces',
] as const

/**
 * The node's own address in interface form (`10.99.0.2/24`): host bits are the point, so they
 * are kept. A bare address (which Calico's ParseCIDROrIP also accepts) becomes a host prefix.
 */
const interfaceAddress =
  (family: IPFamily) =>
  (v: unknown, path: string): string => {
    const parsed = parseCidr(v, path, { family, allowAddress: true })
    checkUsableUnicast(parsed.address, path)
    return parsed.cidr
  }

const ipv4Address = (v: unknown, path: string): string => parseIP(v, path, { family: 4 }).address

function parseNodeBGP(v: unknown, path: string): NodeBGPSpec {
  const o = asObject(v, path)
  checkFields(o, path, BGP_FIELDS)
  const bgp: NodeBGPSpec = {}
  assignOptionalText(bgp, 'asNumber', o, path, parseAsNumber)
  assignOptionalText(bgp, 'ipv4Address', o, path, interfaceAddress(4))
  assignOptionalText(bgp, 'ipv6Address', o, path, interfaceAddress(6))
  assignOptionalText(bgp, 'ipv4IPIPTunnelAddr', o, path, ipv4Address)
  assignOptionalText(bgp, 'routeReflectorClusterID', o, path, ipv4Address)
  if (Object.keys(bgp).length === 0) throw new ValidationError(path, 'must not be empty (omit bgp instead)')
  return bgp
}

function parseOrchRefs(v: unknown, path: string): NonNullable<NodeSpec['orchRefs']> {
  return asArray(v, path).map((raw, i) => {
    const p = item(path, i)
    const o = asObject(raw, p)
    checkFields(o, p, ['nodeName', 'orchestrator'])
    const orchestrator = required(o, 'orchestrator', p, asString)
    const nodeName = optionalText(o, 'nodeName', p, asString)
    return nodeName === undefined ? { orchestrator } : { nodeName, orchestrator }
  })
}

export function parseNodeSpec(v: unknown, path: string): NodeSpec {
  const o = asObject(v ?? {}, path)
  checkFields(o, path, ['bgp', 'orchRefs', ...PRESERVED])
  const spec: NodeSpec = {}
  assignOptional(spec, 'bgp', o, path, parseNodeBGP)
  assignOptional(spec, 'orchRefs', o, path, parseOrchRefs)
  copyPreserved(o, path, PRESERVED, spec)
  return spec
}

/**
 * Node status (podCIDRs, WireGuard public keys) is written by Felix and calico/node; falconer
 * only carries it through. Calico always serialises it, often as `{}`.
 */
export function parseNodeStatus(v: unknown, path: string): Record<string, unknown> {
  const o = asObject(v, path)
  checkFields(o, path, ['podCIDRs', 'wireguardPublicKey', 'wireguardPublicKeyV6'])
  return asObject(cloneJson(o, path), path) as Record<string, unknown>
}
