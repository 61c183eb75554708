import { formatGoFloat32, YamlFloat, YamlInt, type YamlScalar } from './yaml11.js'

/**
 * Where calicoctl's loader turns a YAML boolean or number into a string. It converts YAML
 * to JSON knowing the Go type each value lands in, and a bool or number written where the
 * Go field is a string is stored as text: `routeReflector: true` and `route-reflector: yes`
 * both become the label value "true", `rack: 0x1F` becomes "31", `zone: 1.50` becomes "1.5".
 * Elsewhere values pass as they are (a boolean field takes `yes` as true). Fields whose Go
 * type decodes itself (AS numbers, durations, timestamps) are `any`: no conversion, exactly
 * as calicoctl skips them.
 */
export type Shape =
  | 'string'
  | 'any'
  | { readonly fields: Readonly<Record<string, Shape>> }
  | { readonly map: Shape }
  | { readonly list: Shape }

const S = 'string' as const
const fields = (f: Record<string, Shape>): Shape => ({ fields: f })
const list = (s: Shape): Shape => ({ list: s })
const strings = list(S)
const strMap: Shape = { map: S }

const METADATA = fields({
  name: S, namespace: S, resourceVersion: S, uid: S, generateName: S, selfLink: S, clusterName: S,
  labels: strMap, annotations: strMap, finalizers: strings,
})
const SECRET = fields({ secretKeyRef: fields({ name: S, key: S }) })
const CIDRS = list(fields({ cidr: S }))
const FILTER_RULES = list(fields({
  cidr: S, matchOperator: S, source: S, interface: S, action: S,
  prefixLength: fields({ min: 'any', max: 'any' }),
}))

const SPECS: Readonly<Record<string, Shape>> = {
  Node: fields({
    bgp: fields({ asNumber: 'any', ipv4Address: S, ipv6Address: S, ipv4IPIPTunnelAddr: S, routeReflectorClusterID: S }),
    ipv4VXLANTunnelAddr: S, ipv6VXLANTunnelAddr: S, vxlanTunnelMACAddr: S, vxlanTunnelMACAddrV6: S,
    orchRefs: list(fields({ nodeName: S, orchestrator: S })),
    addresses: list(fields({ address: S, type: S })),
    wireguard: fields({ interfaceIPv4Address: S, interfaceIPv6Address: S }),
    interfaces: list(fields({ name: S, addresses: strings })),
  }),
  BGPPeer: fields({
    node: S, nodeSelector: S, peerIP: S, peerSelector: S, password: SECRET, sourceAddress: S,
    failureDetectionMode: S, restartMode: S, birdGatewayMode: S, localWorkloadSelector: S,
    reachableBy: S, nextHopMode: S, reversePeering: S, filters: strings,
  }),
  BGPConfiguration: fields({
    logSeverityScreen: S, bindMode: S, localWorkloadPeeringIPV4: S, localWorkloadPeeringIPV6: S,
    programClusterRoutes: S, ignoredInterfaces: strings, nodeMeshPassword: SECRET,
    communities: list(fields({ name: S, value: S })),
    prefixAdvertisements: list(fields({ cidr: S, communities: strings })),
    serviceClusterIPs: CIDRS, serviceExternalIPs: CIDRS, serviceLoadBalancerIPs: CIDRS,
  }),
  BGPFilter: fields({ exportV4: FILTER_RULES, importV4: FILTER_RULES, exportV6: FILTER_RULES, importV6: FILTER_RULES }),
  IPPool: fields({
    cidr: S, ipipMode: S, vxlanMode: S, nodeSelector: S, namespaceSelector: S, assignmentMode: S, allowedUses: strings,
  }),
  CalicoNodeStatus: fields({ node: S, classes: strings }),
  WorkloadEndpoint: fields({
    node: S, orchestrator: S, workload: S, endpoint: S, pod: S, containerID: S, interfaceName: S, mac: S,
    serviceAccountName: S, ipNetworks: strings, profiles: strings,
  }),
}

/** The shape of one resource of `kind` (any spelling calicoctl accepts: BGPPeer, bgppeer). */
export function resourceShape(kind: unknown): Shape {
  const known = typeof kind === 'string' ? Object.keys(SPECS).find((k) => k.toLowerCase() === kind.toLowerCase()) : undefined
  return fields({ apiVersion: S, kind: S, metadata: METADATA, ...(known !== undefined && { spec: SPECS[known] as Shape }) })
}

export class ManifestValueError extends Error {
  override readonly name = 'ManifestValueError'
}

/** A YAML value as the YAML reader hands it over (mapAsMap): Maps, arrays, resolved scalars. */
export type YamlValue = YamlScalar | readonly YamlValue[] | ReadonlyMap<YamlScalar, YamlValue>

/**
 * The JSON calicoctl would write for `value` read into `shape`: map keys become strings the
 * way Go's YAML-to-JSON step spells them, scalars where a string belongs become text.
 */
export function toCalicoJson(value: YamlValue, shape: Shape, opts: { readonly keepNulls?: boolean } = {}): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of value as ReadonlyMap<YamlScalar, YamlValue>) {
      const key = keyText(k)
      const inner = fieldShape(shape, key)
      // Go stores a null map value as the element's zero value: a label `k: ~` is "".
      // A patch keeps its nulls: there a null means "remove this key".
      const json = v === null && !opts.keepNulls && inner === 'string' && typeof shape === 'object' && 'map' in shape ? '' : toCalicoJson(v, inner, opts)
      Object.defineProperty(out, key, { value: json, enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  if (Array.isArray(value)) {
    const each: Shape = typeof shape === 'object' && 'list' in shape ? shape.list : 'any'
    return (value as readonly YamlValue[]).map((v) => toCalicoJson(v, each, opts))
  }
  const scalar = value as YamlScalar
  if (shape === 'string') {
    if (typeof scalar === 'boolean') return scalar ? 'true' : 'false'
    if (scalar instanceof YamlInt) return scalar.value.toString()
    if (scalar instanceof YamlFloat) return formatGoFloat32(scalar.value)
    return scalar
  }
  if (scalar instanceof YamlInt) return Number(scalar.value)
  if (scalar instanceof YamlFloat) {
    if (!Number.isFinite(scalar.value)) throw new ManifestValueError(`json: unsupported value: ${formatGoFloat32(scalar.value)}`)
    return scalar.value
  }
  return scalar
}

function fieldShape(shape: Shape, key: string): Shape {
  if (typeof shape !== 'object') return 'any'
  if ('map' in shape) return shape.map
  if ('fields' in shape) return Object.hasOwn(shape.fields, key) ? (shape.fields[key] as Shape) : 'any'
  return 'any'
}

/** Go's YAML-to-JSON key spelling; a null or collection key is refused as calicoctl refuses it. */
function keyText(k: unknown): string {
  if (typeof k === 'string') return k
  if (typeof k === 'boolean') return k ? 'true' : 'false'
  if (k instanceof YamlInt) return k.value.toString()
  if (k instanceof YamlFloat) {
    const s = formatGoFloat32(k.value)
    return s === '+Inf' ? '.inf' : s === '-Inf' ? '-.inf' : s === 'NaN' ? '.nan' : s
  }
  throw new ManifestValueError(`unsupported map key ${k === null ? 'null' : 'of a collection type'}`)
}
