import type { NodeBGPSpec, NodeSpec } from '../types.js'
import { ValidationError } from '../errors.js'
import { parseAsNumber } from './asn.js'
import { asArray, asObject, asString, checkFields, cloneJson, copyPreserved, item, optional, optionalText, required } from './fields.js'
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
  const asNumber = optionalText(o, 'asNumber', path, parseAsNumber)
  if (asNumber !== undefined) bgp.asNumber = asNumber
  const v4 = optionalText(o, 'ipv4Address', path, interfaceAddress(4))
  if (v4 !== undefined) bgp.ipv4Address = v4
  const v6 = optionalText(o, 'ipv6Address', path, interfaceAddress(6))
  if (v6 !== undefined) bgp.ipv6Address = v6
  const tunnel = optionalText(o, 'ipv4IPIPTunnelAddr', path, ipv4Address)
  if (tunnel !== undefined) bgp.ipv4IPIPTunnelAddr = tunnel
  const clusterID = optionalText(o, 'routeReflectorClusterID', path, ipv4Address)
  if (clusterID !== undefined) bgp.routeReflectorClusterID = clusterID
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
  const bgp = optional(o, 'bgp', path, parseNodeBGP)
  if (bgp !== undefined) spec.bgp = bgp
  const orchRefs = optional(o, 'orchRefs', path, parseOrchRefs)
  if (orchRefs !== undefined) spec.orchRefs = orchRefs
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
