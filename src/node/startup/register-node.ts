import { isDeepStrictEqual } from 'node:util'
import { API_VERSION, type Node, type NodeBGPSpec } from '../../api/types.js'
import { AlreadyExistsError, ConflictError } from '../../datastore/errors.js'
import type { ResourceStore } from '../../datastore/store.js'
import { StartupError } from './errors.js'

/**
 * Writing this node's Node resource: a pure merge of what startup decided into whatever
 * the datastore holds (labels, annotations, route reflector cluster ID and every other
 * field an operator set stay as they are), then a compare-and-swap write that re-reads
 * and re-merges when someone else wrote in between (invariant 8 in docs/design.md).
 */

export interface NodeUpdate {
  /** CIDR form; undefined removes the field. */
  readonly ipv4Address: string | undefined
  readonly ipv6Address: string | undefined
  /** 'keep': leave spec.bgp.asNumber as stored (absent stays absent: inherit the cluster's). */
  readonly asNumber: number | 'keep'
}

export function mergeNode(existing: Node | undefined, name: string, update: NodeUpdate): Node {
  const base: Node = existing ?? { apiVersion: API_VERSION, kind: 'Node', metadata: { name }, spec: {} }
  const bgp: NodeBGPSpec = { ...base.spec.bgp }
  setOrDelete(bgp, 'ipv4Address', update.ipv4Address)
  setOrDelete(bgp, 'ipv6Address', update.ipv6Address)
  if (update.asNumber !== 'keep') bgp.asNumber = update.asNumber
  const spec = { ...base.spec }
  // Calico leaves spec.bgp out entirely rather than storing an empty object.
  if (Object.keys(bgp).length === 0) delete spec.bgp
  else spec.bgp = bgp
  return { ...base, metadata: { ...base.metadata }, spec }
}

function setOrDelete<K extends 'ipv4Address' | 'ipv6Address'>(bgp: NodeBGPSpec, key: K, value: string | undefined): void {
  if (value === undefined) delete bgp[key]
  else bgp[key] = value
}

export interface RegisterResult {
  readonly node: Node
  /** false when the stored node already said exactly this. */
  readonly written: boolean
}

const MAX_ATTEMPTS = 10

export async function registerNode(store: ResourceStore, name: string, update: NodeUpdate): Promise<RegisterResult> {
  let lastError: unknown
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const existing = await store.get('Node', name)
    const wanted = mergeNode(existing, name, update)
    if (existing !== undefined && isDeepStrictEqual(existing, wanted)) return { node: existing, written: false }
    try {
      const node = existing === undefined ? await store.create(wanted) : await store.update(wanted)
      return { node, written: true }
    } catch (err) {
      // Someone else wrote the node between our read and our write: read again.
      if (err instanceof ConflictError || err instanceof AlreadyExistsError) {
        lastError = err
        continue
      }
      throw err
    }
  }
  throw new StartupError(`Unable to set node resource configuration: the node kept changing under us (${MAX_ATTEMPTS} attempts)`, [], {
    cause: lastError,
  })
}

/** The AS lines calico/node prints, and what to store. */
export function decideAsNumber(
  requested: { readonly value: number; readonly from: string } | undefined,
  stored: number | undefined,
): { readonly asNumber: number | 'keep'; readonly line: string } {
  if (requested !== undefined) {
    const source = requested.from.startsWith('--') ? `${requested.from}=` : `environment: ${requested.from}=`
    return { asNumber: requested.value, line: `Using AS number specified in ${source}${requested.value}` }
  }
  if (stored !== undefined) return { asNumber: 'keep', line: `Using AS number configured in node resource: ${stored}` }
  return { asNumber: 'keep', line: 'Using global AS number' }
}
