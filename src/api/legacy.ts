import { API_VERSION, type AnyResource, type BGPPeerSpec, type NodeBGPSpec } from './types.js'
import { ValidationError } from './errors.js'
import { parseAsNumber } from './validate/asn.js'
import {
  asEnum, asObject, assignOptionalText, checkFields, child, describe, isAbsent, isPlainObject, type Obj, optional, optionalText,
  required,
} from './validate/fields.js'
import { parseCidr, parseIP } from './validate/ip.js'
import { parseName } from './validate/names.js'
import { validateKind } from './validate/resource.js'

/**
 * calicoctl v1 manifests (`apiVersion: v1`, `kind: bgpPeer` / `kind: node`) converted to
 * v3 resources. Peers get deterministic names so that re-applying the same v1 file, or
 * `node bgp peer add` with the same address, updates one resource instead of adding another.
 */

/** v1 kinds, spelled as calicoctl v1 wrote them (a Kubernetes `kind: Node` is not one). */
const V1_KINDS = ['node', 'bgpPeer', 'ipPool', 'policy', 'profile', 'hostEndpoint', 'workloadEndpoint'] as const

export function isLegacyDocument(doc: unknown): boolean {
  return (
    isPlainObject(doc) &&
    doc.apiVersion === 'v1' &&
    typeof doc.kind === 'string' &&
    (V1_KINDS as readonly string[]).includes(doc.kind)
  )
}

/**
 * `bgppeer-global-10-99-0-1`, `bgppeer-node-node1-fd99--1`: the canonical address with '.'
 * and ':' replaced by '-'. An address ending in "::" would leave a trailing '-', which no
 * resource name may have, so a '0' is appended (no canonical address ends in "::0").
 */
export function legacyPeerName(scope: 'global' | 'node', ip: string, node?: string): string {
  let suffix = parseIP(ip, 'peerIP').address.replace(/[.:]/g, '-')
  if (suffix.endsWith('-')) suffix += '0'
  if (scope === 'global') return `bgppeer-global-${suffix}`
  if (node === undefined || node === '') throw new ValidationError('node', 'required for a node-scoped peer')
  return `bgppeer-node-${parseName(node, 'node')}-${suffix}`
}

/** Re-anchors an error from the converted v3 document under the caller's path. */
function within<T>(path: string, f: () => T): T {
  try {
    return f()
  } catch (e) {
    if (e instanceof ValidationError && path) throw new ValidationError(e.path ? child(path, e.path) : path, e.reason)
    throw e
  }
}

function convertPeer(o: Obj, path: string): AnyResource {
  const metaPath = child(path, 'metadata')
  const meta = asObject(o.metadata, metaPath)
  checkFields(meta, metaPath, ['peerIP', 'scope', 'node'])
  const ip = required(meta, 'peerIP', metaPath, (v, p) => parseIP(v, p)).address
  const scope = required(meta, 'scope', metaPath, (v, p) => asEnum(v, p, ['global', 'node'] as const))
  const node = optionalText(meta, 'node', metaPath, parseName)
  if (scope === 'node' && node === undefined) throw new ValidationError(child(metaPath, 'node'), 'required when scope is node')
  if (scope === 'global' && node !== undefined) {
    throw new ValidationError(child(metaPath, 'node'), 'must not be set when scope is global')
  }
  const specPath = child(path, 'spec')
  const spec = asObject(o.spec ?? {}, specPath)
  checkFields(spec, specPath, ['asNumber'])
  const asNumber = required(spec, 'asNumber', specPath, parseAsNumber)
  const peerSpec: BGPPeerSpec = node === undefined ? { peerIP: ip, asNumber } : { node, peerIP: ip, asNumber }
  return within(path, () =>
    validateKind('BGPPeer', {
      apiVersion: API_VERSION,
      kind: 'BGPPeer',
      metadata: { name: legacyPeerName(scope, ip, node) },
      spec: peerSpec,
    }),
  )
}

/** v1 allowed a bare address; it means the host prefix. */
const v1Address = (family: 4 | 6) => (v: unknown, p: string) => parseCidr(v, p, { family, allowAddress: true }).cidr

function convertNode(o: Obj, path: string): AnyResource {
  const metaPath = child(path, 'metadata')
  const meta = asObject(o.metadata, metaPath)
  checkFields(meta, metaPath, ['name'])
  const name = required(meta, 'name', metaPath, parseName)
  const specPath = child(path, 'spec')
  const spec = asObject(o.spec ?? {}, specPath)
  checkFields(spec, specPath, ['bgp'])
  const bgp = optional(spec, 'bgp', specPath, (v, p) => {
    const b = asObject(v, p)
    checkFields(b, p, ['asNumber', 'ipv4Address', 'ipv6Address'])
    const out: NodeBGPSpec = {}
    assignOptionalText(out, 'asNumber', b, p, parseAsNumber)
    assignOptionalText(out, 'ipv4Address', b, p, v1Address(4))
    assignOptionalText(out, 'ipv6Address', b, p, v1Address(6))
    return out
  })
  const hasBGP = bgp !== undefined && Object.keys(bgp).length > 0
  return within(path, () =>
    validateKind('Node', {
      apiVersion: API_VERSION,
      kind: 'Node',
      metadata: { name },
      spec: hasBGP ? { bgp } : {},
    }),
  )
}

/** Converts one v1 document; `path` prefixes error paths (e.g. the document's place in a file). */
export function convertLegacy(doc: unknown, path = ''): AnyResource {
  const o = asObject(doc, path)
  checkFields(o, path, ['apiVersion', 'kind', 'metadata', 'spec'])
  if (o.apiVersion !== 'v1') {
    throw new ValidationError(child(path, 'apiVersion'), `expected "v1", got ${describe(o.apiVersion)}`)
  }
  if (isAbsent(o.metadata)) throw new ValidationError(child(path, 'metadata'), 'required')
  switch (o.kind) {
    case 'bgpPeer':
      return convertPeer(o, path)
    case 'node':
      return convertNode(o, path)
    default:
      if (typeof o.kind === 'string' && (V1_KINDS as readonly string[]).includes(o.kind)) {
        throw new ValidationError(
          child(path, 'kind'),
          `converting a v1 ${o.kind} is not supported: write it as a ${API_VERSION} resource`,
        )
      }
      throw new ValidationError(child(path, 'kind'), `expected bgpPeer or node, got ${describe(o.kind)}`)
  }
}
