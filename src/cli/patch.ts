import type { Command } from 'commander'
import { ValidationError } from '../api/errors.js'
import { resourceShape, toCalicoJson, ManifestValueError } from '../api/manifest-shapes.js'
import { applyPatch, PATCH_TYPES, PatchError, type PatchType } from '../api/patch.js'
import type { AnyResource, ResourceKind } from '../api/types.js'
import { resolveKind, validateResource } from '../api/validate/index.js'
import type { ResourceStore } from '../datastore/store.js'
import { modifyExisting } from './cas.js'
import { withStore, write } from './context.js'
import { CliError } from './errors.js'
import { ManifestError, parseYamlValue } from './manifest.js'
import { wireForm } from './print/resources.js'

/**
 * `falconer patch KIND NAME -p PATCH [--type strategic|merge|json]`, as calicoctl's patch
 * (see ../api/patch.ts for what each type does). The patched resource is validated as
 * `apply` validates a manifest: a patch that makes it invalid is refused, naming the
 * field, and nothing is written. The write is a compare-and-swap on the revision the patch
 * was applied to; a concurrent change makes the patch apply again to the fresh value.
 */

export interface PatchRequest {
  readonly kind: ResourceKind
  readonly name: string
  readonly type: PatchType
  /** The parsed patch document (JSON values, calicoctl's scalar rules). */
  readonly patch: unknown
}

export interface PatchOptions {
  patch: string
  type: string
}

/** Pure: the command line → what to do, or why not. */
export function parsePatchRequest(kindText: string, name: string, opts: PatchOptions): PatchRequest {
  const kind = resolveKind(kindText)
  if (kind === undefined) throw new CliError(`resource type '${kindText}' is not supported`)
  if (kind === 'WorkloadEndpoint') throw new CliError('workload endpoints are managed by the orchestrator and are read-only in falconer')
  const type = opts.type.toLowerCase() as PatchType
  if (!PATCH_TYPES.includes(type)) throw new CliError(`--type ${opts.type}: expected one of ${PATCH_TYPES.join(', ')}`)
  let patch: unknown
  try {
    const value = parseYamlValue(opts.patch)
    // A merge patch mirrors the resource, so its scalars are read as the resource's fields
    // would be (a label `yes` is the string "true"); a JSON patch's values are taken as written.
    patch = toCalicoJson(value, type === 'json' ? 'any' : resourceShape(kind), { keepNulls: true })
  } catch (err) {
    if (err instanceof ManifestError || err instanceof ManifestValueError) throw new CliError(`error processing the patch: ${err.message}`)
    throw err
  }
  return { kind, name, type, patch }
}

/** Pure: the stored resource with the patch applied, validated; identity fields may not change. */
export function patched<R extends AnyResource>(current: R, req: PatchRequest): R {
  let raw: unknown
  try {
    raw = applyPatch(req.type, wireForm(current), req.patch)
  } catch (err) {
    if (err instanceof PatchError) throw new CliError(`${req.kind}(${req.name}): ${err.message}`)
    throw err
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as { kind?: unknown; apiVersion?: unknown; metadata?: { name?: unknown; namespace?: unknown } }
  const same = (field: string, was: unknown, now: unknown) => {
    if (now !== was) throw new CliError(`${req.kind}(${req.name}): ${field}: cannot be changed by a patch (${JSON.stringify(was ?? null)} → ${JSON.stringify(now ?? null)})`)
  }
  same('kind', current.kind, o.kind)
  same('apiVersion', current.apiVersion, o.apiVersion)
  same('metadata.name', current.metadata.name, o.metadata?.name)
  same('metadata.namespace', current.metadata.namespace, o.metadata?.namespace)
  try {
    const resource = validateResource(raw) as R
    // The revision the patch was applied to: the write is a compare-and-swap on it.
    return { ...resource, metadata: { ...resource.metadata, resourceVersion: current.metadata.resourceVersion } }
  } catch (err) {
    if (err instanceof ValidationError) throw new CliError(`${req.kind}(${req.name}): ${err.message}`)
    throw err
  }
}

export async function patchInStore(store: ResourceStore, req: PatchRequest): Promise<AnyResource> {
  const written = await modifyExisting(store, req.kind, req.name, (current) => patched(current, req))
  if (written === undefined) throw new CliError(`resource does not exist: ${req.kind}(${req.name})`)
  return written.resource
}

export async function patchResource(kindText: string, name: string, opts: PatchOptions, cmd: Command): Promise<void> {
  const req = parsePatchRequest(kindText, name, opts)
  await withStore(cmd, (store) => patchInStore(store, req))
  write(`Successfully patched 1 '${req.kind}' resource\n`)
}
