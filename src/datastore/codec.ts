import { ValidationError } from '../api/errors.js'
import type { AffinityState, AnyResource, BlockAffinity, ResourceKind, ResourceOfKind } from '../api/types.js'
import { parseAffinityValue, validateKind } from '../api/validate/index.js'
import { cidrSize, formatCidr, type Cidr } from './cidr.js'
import { InvalidValueError } from './errors.js'
import { parseKey } from './keys.js'

/**
 * Values as Calico stores them, both ways. Pure: the caller supplies the clock and the
 * uid, so encoding is deterministic under test.
 */

/** The part of an etcd KeyValue the decoders need. */
export interface StoredKv {
  readonly key: Buffer | string
  readonly value: Buffer | string
  readonly mod_revision: string
}

/**
 * Calico's JSON, byte for byte where it has one form: field order as Calico writes it,
 * labels and annotations in key order (Go marshals a map sorted by key; a JS object would
 * put "10" before "a"), and <, >, & escaped as Go's encoder escapes them. resourceVersion is
 * the key's revision, never stored.
 */
export function encodeResource(r: AnyResource): string {
  const { resourceVersion: _notStored, labels, annotations, ...rest } = r.metadata
  const field = (k: string, json: string): string => `${JSON.stringify(k)}:${json}`
  // ObjectMeta's Go field order puts labels and annotations before these.
  const after = new Set(['ownerReferences', 'finalizers', 'managedFields'])
  const entries = Object.entries(rest).filter(([, v]) => v !== undefined)
  const metadata = [
    ...entries.filter(([k]) => !after.has(k)).map(([k, v]) => field(k, JSON.stringify(v))),
    ...(labels !== undefined ? [field('labels', sortedMapJson(labels))] : []),
    ...(annotations !== undefined ? [field('annotations', sortedMapJson(annotations))] : []),
    ...entries.filter(([k]) => after.has(k)).map(([k, v]) => field(k, JSON.stringify(v))),
  ]
  let text = `{"kind":${JSON.stringify(r.kind)},"apiVersion":${JSON.stringify(r.apiVersion)},"metadata":{${metadata.join(',')}},"spec":${JSON.stringify(r.spec)}`
  if (r.status !== undefined) text += `,"status":${JSON.stringify(r.status)}`
  return goEscape(text + '}')
}

function sortedMapJson(m: Readonly<Record<string, string>>): string {
  const keys = Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(',')}}`
}

/** Go's json.Marshal HTML-safe escapes; these characters only occur inside JSON strings. */
function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** RFC 3339 at second precision, as Go's metav1.Time marshals. */
export function rfc3339(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** On create, Calico fills in uid and creationTimestamp when the caller did not. */
export function withCreationMeta<R extends AnyResource>(r: R, now: Date, uid: string): R {
  return {
    ...r,
    metadata: { ...r.metadata, uid: r.metadata.uid ?? uid, creationTimestamp: r.metadata.creationTimestamp ?? rfc3339(now) },
  }
}

/** The creation metadata of a stored value, read leniently: an invalid value may be being fixed. */
export interface CreationMeta {
  readonly uid?: string
  readonly creationTimestamp?: string
}

export function storedCreationMeta(value: Buffer | string): CreationMeta {
  try {
    const raw = JSON.parse(value.toString()) as { metadata?: { uid?: unknown; creationTimestamp?: unknown } }
    const { uid, creationTimestamp } = raw.metadata ?? {}
    return {
      ...(typeof uid === 'string' && { uid }),
      ...(typeof creationTimestamp === 'string' && { creationTimestamp }),
    }
  } catch {
    return {}
  }
}

/** On update, uid and creationTimestamp survive even when the caller's copy lacks them. */
export function withPreservedMeta<R extends AnyResource>(r: R, existing: CreationMeta): R {
  const metadata = { ...r.metadata }
  if (metadata.uid === undefined && existing.uid !== undefined) metadata.uid = existing.uid
  if (metadata.creationTimestamp === undefined && existing.creationTimestamp !== undefined) {
    metadata.creationTimestamp = existing.creationTimestamp
  }
  return { ...r, metadata }
}

export function withResourceVersion<R extends AnyResource>(r: R, revision: string): R {
  return { ...r, metadata: { ...r.metadata, resourceVersion: revision } }
}

/**
 * A stored resource → a validated resource carrying resourceVersion = the key's mod
 * revision. Throws InvalidValueError (key, field, reason) for anything that does not
 * parse, validate, or match its key.
 */
export function decodeResource<K extends ResourceKind>(kind: K, kv: StoredKv): ResourceOfKind<K> {
  const key = kv.key.toString()
  const parsed = parseKey(key)
  if (parsed?.type !== 'resource' || parsed.kind !== kind) {
    throw new InvalidValueError(key, '', `not a ${kind} key`)
  }
  const raw = parseJson(key, kv.value)
  let resource: ResourceOfKind<K>
  try {
    resource = validateKind(kind, raw)
  } catch (e) {
    if (e instanceof ValidationError) throw new InvalidValueError(key, e.path, e.reason)
    throw e
  }
  if (resource.metadata.name !== parsed.name) {
    throw new InvalidValueError(key, 'metadata.name', `"${resource.metadata.name}" does not match the key's name "${parsed.name}"`)
  }
  if (parsed.namespace !== undefined && resource.metadata.namespace !== parsed.namespace) {
    throw new InvalidValueError(
      key,
      'metadata.namespace',
      `"${resource.metadata.namespace ?? ''}" does not match the key's namespace "${parsed.namespace}"`,
    )
  }
  return withResourceVersion(resource, kv.mod_revision)
}

function parseJson(key: string, value: Buffer | string): unknown {
  try {
    return JSON.parse(value.toString())
  } catch (e) {
    throw new InvalidValueError(key, '', `value is not JSON (${(e as Error).message})`)
  }
}

// ---- IPAM ---------------------------------------------------------------------

export function encodeAffinity(state: AffinityState = 'confirmed'): string {
  return JSON.stringify({ state })
}

/** `{"state":"confirmed"}` under an affinity key → BlockAffinity; InvalidValueError when it is not one. */
export function decodeAffinity(node: string, cidr: Cidr, kv: StoredKv): BlockAffinity {
  const key = kv.key.toString()
  try {
    return parseAffinityValue(node, formatCidr(cidr), kv.value.toString())
  } catch (e) {
    if (e instanceof ValidationError) throw new InvalidValueError(key, e.path, e.reason)
    throw e
  }
}

/**
 * A fresh, empty block the way Calico's IPAM writes one: one `null` allocation slot per
 * address and every ordinal unallocated, so Calico's own IPAM (CNI) can allocate from a
 * block falconer claimed.
 */
export function encodeNewBlock(cidr: Cidr, node: string): string {
  const n = Number(cidrSize(cidr))
  return JSON.stringify({
    cidr: formatCidr(cidr),
    affinity: `host:${node}`,
    strictAffinity: false,
    allocations: Array<null>(n).fill(null),
    unallocated: Array.from({ length: n }, (_, i) => i),
    attributes: [],
    deleted: false,
  })
}

/** The node a stored block is affine to ("host:<node>"), if any. */
export function blockHost(value: Buffer | string): string | undefined {
  try {
    const raw = JSON.parse(value.toString()) as { affinity?: unknown }
    return typeof raw.affinity === 'string' && raw.affinity.startsWith('host:') ? raw.affinity.slice(5) : undefined
  } catch {
    return undefined
  }
}

/** How many addresses of a stored block are allocated (non-null allocation slots). */
export function blockAllocatedCount(value: Buffer | string): number {
  try {
    const raw = JSON.parse(value.toString()) as { allocations?: unknown }
    return Array.isArray(raw.allocations) ? raw.allocations.filter((a) => a !== null).length : 0
  } catch {
    return 0
  }
}
