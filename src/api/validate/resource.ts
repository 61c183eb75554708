import { API_VERSION, KINDS, type AnyResource, type ObjectMeta, type ResourceKind, type ResourceOfKind } from '../types.js'
import { ValidationError } from '../errors.js'
import { parseBGPConfigurationSpec, checkBGPConfigurationName } from './bgp-configuration.js'
import { parseBGPFilterSpec } from './bgp-filter.js'
import { parseBGPPeerSpec } from './bgp-peer.js'
import { parseCalicoNodeStatusSpec, parseCalicoNodeStatusStatus } from './calico-node-status.js'
import { asObject, checkFields, describe, isAbsent, type Obj } from './fields.js'
import { parseIPPoolSpec } from './ip-pool.js'
import { resolveKind } from './kinds.js'
import { type MetadataRules, parseMetadata } from './metadata.js'
import { parseNodeSpec, parseNodeStatus } from './node.js'
import { parseWorkloadEndpointSpec } from './workload-endpoint.js'

interface KindRules<K extends ResourceKind> {
  metadata: MetadataRules
  spec: (v: unknown, path: string) => ResourceOfKind<K>['spec']
  /** Kinds without a status reject one as an unknown field. */
  status?: (v: unknown, path: string) => unknown
}

const RULES: { readonly [K in ResourceKind]: KindRules<K> } = {
  Node: { metadata: { namespaced: false }, spec: parseNodeSpec, status: parseNodeStatus },
  BGPPeer: { metadata: { namespaced: false }, spec: parseBGPPeerSpec },
  BGPConfiguration: {
    metadata: { namespaced: false, name: checkBGPConfigurationName },
    spec: parseBGPConfigurationSpec,
  },
  BGPFilter: { metadata: { namespaced: false }, spec: parseBGPFilterSpec },
  IPPool: { metadata: { namespaced: false }, spec: parseIPPoolSpec },
  CalicoNodeStatus: {
    metadata: { namespaced: false },
    spec: parseCalicoNodeStatusSpec,
    status: parseCalicoNodeStatusStatus,
  },
  WorkloadEndpoint: { metadata: { namespaced: true }, spec: parseWorkloadEndpointSpec },
}

function checkApiVersion(o: Obj): void {
  if (o.apiVersion === API_VERSION) return
  if (isAbsent(o.apiVersion)) throw new ValidationError('apiVersion', `required ("${API_VERSION}")`)
  const hint = o.apiVersion === 'v1' ? ' (a calicoctl v1 manifest: convert it first)' : ''
  throw new ValidationError('apiVersion', `must be "${API_VERSION}", got ${describe(o.apiVersion)}${hint}`)
}

function build<K extends ResourceKind>(kind: K, o: Obj): ResourceOfKind<K> {
  const rules = RULES[kind] as KindRules<K>
  checkFields(o, '', ['apiVersion', 'kind', 'metadata', 'spec', ...(rules.status ? ['status'] : [])])
  const metadata: ObjectMeta = parseMetadata(o.metadata, 'metadata', rules.metadata)
  const spec = rules.spec(o.spec, 'spec')
  const out: Record<string, unknown> = { apiVersion: API_VERSION, kind, metadata, spec }
  if (rules.status && !isAbsent(o.status)) out.status = rules.status(o.status, 'status')
  return out as unknown as ResourceOfKind<K>
}

/**
 * Validates any v3 resource of a kind falconer knows and returns a canonical deep copy
 * (addresses, CIDRs, AS numbers, durations re-serialised; defaults such as the pool block
 * size filled in). The input is never modified.
 */
export function validateResource(raw: unknown): AnyResource {
  const o = asObject(raw, '')
  checkApiVersion(o)
  const kind = o.kind
  if (isAbsent(kind)) throw new ValidationError('kind', 'required')
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    const guess = typeof kind === 'string' ? resolveKind(kind) : undefined
    throw new ValidationError(
      'kind',
      `unsupported kind ${describe(kind)}${guess ? ` (did you mean "${guess}"?)` : ` (expected one of ${KINDS.join(', ')})`}`,
    )
  }
  return build(kind as ResourceKind, o)
}

/** Like validateResource, but the document must be of `kind`. */
export function validateKind<K extends ResourceKind>(kind: K, raw: unknown): ResourceOfKind<K> {
  const o = asObject(raw, '')
  checkApiVersion(o)
  if (o.kind !== kind) throw new ValidationError('kind', `expected "${kind}", got ${describe(o.kind)}`)
  return build(kind, o)
}
