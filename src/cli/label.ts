import type { Command } from 'commander'
import { ValidationError } from '../api/errors.js'
import type { AnyResource, ResourceKind } from '../api/types.js'
import { resolveKind, validateResource } from '../api/validate/index.js'
import type { ResourceStore } from '../datastore/store.js'
import { modifyExisting } from './cas.js'
import { withStore, write } from './context.js'
import { CliError } from './errors.js'

/**
 * `falconer label KIND NAME key=value [--overwrite]` and `label KIND NAME key --remove`,
 * as calicoctl's label: the same checks, the same messages (with the kind as typed), and a
 * compare-and-swap write, so a label set by someone else meanwhile is kept.
 */

export type LabelOp =
  | { readonly op: 'set'; readonly key: string; readonly value: string; readonly overwrite: boolean }
  | { readonly op: 'remove'; readonly key: string }

export interface LabelRequest {
  /** As the operator typed it ("nodes"), for messages, as calicoctl prints them. */
  readonly kindText: string
  readonly kind: ResourceKind
  readonly name: string
  readonly change: LabelOp
}

export interface LabelOptions {
  overwrite?: boolean
  remove?: boolean
}

/** Pure: the command line → what to do, or why not. */
export function parseLabelRequest(kindText: string, name: string, label: string, opts: LabelOptions): LabelRequest {
  const kind = resolveKind(kindText)
  if (kind === undefined) throw new CliError(`resource type '${kindText}' is not supported`)
  if (kind === 'WorkloadEndpoint') throw new CliError('workload endpoints are managed by the orchestrator and are read-only in falconer')
  if (opts.remove === true) {
    if (opts.overwrite === true) throw new CliError('--overwrite cannot be used with --remove')
    if (label.includes('=')) throw new CliError(`--remove takes a label key, not key=value ('${label}')`)
    return { kindText, kind, name, change: { op: 'remove', key: label } }
  }
  const parts = label.split('=')
  if (parts.length !== 2) throw new CliError(`invalid label ${label} (expected key=value, or key with --remove)`)
  return { kindText, kind, name, change: { op: 'set', key: parts[0]!, value: parts[1]!, overwrite: opts.overwrite === true } }
}

export type LabelOutcome = 'set' | 'updated' | 'removed'

/**
 * Pure: the resource with the label changed, validated like `apply` validates it (a key
 * or value Calico would refuse is refused here, naming metadata.labels).
 */
export function labelled<R extends AnyResource>(resource: R, req: LabelRequest): { resource: R; outcome: LabelOutcome } {
  const labels: Record<string, string> = { ...resource.metadata.labels }
  const { change, kindText, name } = req
  let outcome: LabelOutcome
  if (change.op === 'remove') {
    if (!Object.hasOwn(labels, change.key)) {
      throw new CliError(`cannot remove label of ${kindText} ${name}, key ${change.key} does not exist`)
    }
    delete labels[change.key]
    outcome = 'removed'
  } else {
    const old = Object.hasOwn(labels, change.key) ? labels[change.key] : undefined
    if (old !== undefined && old !== change.value && !change.overwrite) {
      throw new CliError(`failed to update label of ${kindText} ${name}, key ${change.key} is already present. please use '--overwrite' to set a new value.`)
    }
    Object.defineProperty(labels, change.key, { value: change.value, enumerable: true, writable: true, configurable: true })
    outcome = old === undefined ? 'set' : 'updated'
  }
  const { labels: _old, ...rest } = resource.metadata
  const next = { ...resource, metadata: Object.keys(labels).length > 0 ? { ...rest, labels } : rest }
  try {
    return { resource: validateResource(next) as R, outcome }
  } catch (err) {
    if (err instanceof ValidationError) throw new CliError(`${kindText} ${name}: ${err.message}`)
    throw err
  }
}

/** Reads, changes and writes with compare-and-swap; the label checks run on every attempt. */
export async function labelInStore(store: ResourceStore, req: LabelRequest): Promise<LabelOutcome> {
  let outcome: LabelOutcome = 'set'
  const written = await modifyExisting(store, req.kind, req.name, (current) => {
    const r = labelled(current, req)
    outcome = r.outcome
    return r.resource
  })
  if (written === undefined) throw new CliError(`${req.kindText} ${req.name} not found`)
  return outcome
}

export async function labelResource(kindText: string, name: string, label: string, opts: LabelOptions, cmd: Command): Promise<void> {
  const req = parseLabelRequest(kindText, name, label, opts)
  const outcome = await withStore(cmd, (store) => labelInStore(store, req))
  const key = req.change.key
  const line =
    outcome === 'removed'
      ? `Successfully removed label ${key} from ${kindText} ${name}`
      : outcome === 'updated'
        ? `Successfully updated label ${key} on ${kindText} ${name}`
        : `Successfully set label ${key} on ${kindText} ${name}`
  write(`${line}\n`)
}
