import type { Command } from 'commander'
import { ValidationError } from '../api/errors.js'
import type { AnyResource, BGPPeer, ResourceKind } from '../api/types.js'
import { resolveKind } from '../api/validate/index.js'
import { DatastoreError, NotFoundError, UnavailableError } from '../datastore/errors.js'
import type { ResourceStore } from '../datastore/store.js'
import { failuresOnly, printReport } from './apply.js'
import { withStore } from './context.js'
import { CliError } from './errors.js'
import { readManifestFile, resourcesFromDocuments, type InputItem } from './input.js'
import { parsePeerArgument, parseScope, peerAddress, peerMatches, type PeerFilter } from './peers.js'
import type { Outcome } from './print/outcomes.js'

export interface DeleteOptions {
  filename?: string
  skipNotExists?: boolean
  scope?: string
  node?: string
  namespace?: string
}

export async function deleteResources(kindText: string | undefined, name: string | undefined, opts: DeleteOptions, cmd: Command): Promise<void> {
  const skip = opts.skipNotExists === true
  if (opts.filename !== undefined) {
    if (kindText !== undefined) throw new CliError('give either --filename or <KIND> <NAME>, not both')
    const items = resourcesFromDocuments(await readManifestFile(opts.filename))
    if (items.length === 0) throw new CliError('No resources specified in file')
    const outcomes = items.some((i) => i.ok) ? await withStore(cmd, (store) => deleteItems(store, items, skip)) : failuresOnly(items)
    printReport('delete', outcomes)
    return
  }
  if (kindText === undefined || name === undefined) {
    throw new CliError('a resource is required: --filename=<FILENAME> or <KIND> <NAME>')
  }
  const kind = resolveKind(kindText)
  if (kind === undefined) throw new CliError(`resource type '${kindText}' is not supported`)
  const target = deleteTarget(kind, name, opts)
  const outcomes = await withStore(cmd, async (store) => [await deleteTargetOnce(store, target, skip)])
  printReport('delete', outcomes)
}

/** What `delete <KIND> <NAME>` means, decided before the datastore is contacted. */
type Target =
  | { readonly by: 'name'; readonly kind: ResourceKind; readonly name: string; readonly namespace: string }
  | { readonly by: 'peer'; readonly filter: PeerFilter; readonly label: string }

function deleteTarget(kind: ResourceKind, name: string, opts: DeleteOptions): Target {
  const scope = parseScope(opts.scope)
  if (kind === 'BGPPeer' && (scope !== undefined || opts.node !== undefined)) {
    const effective = scope ?? 'node'
    if (effective === 'node' && opts.node === undefined) {
      throw new CliError('--node=<NODE> is required with --scope=node')
    }
    if (effective === 'global' && opts.node !== undefined) {
      throw new CliError('--node cannot be used with --scope=global')
    }
    const peer = parsePeerArgument(name)
    return {
      by: 'peer',
      filter: { scope: effective, ...(effective === 'node' && { node: opts.node }), peer },
      label: `BGPPeer(scope=${effective}${effective === 'node' ? `, node=${opts.node}` : ''}, peerIP=${name})`,
    }
  }
  if (scope !== undefined) throw new CliError(`--scope only applies to bgpPeer, not ${kind}`)
  return { by: 'name', kind, name, namespace: opts.namespace ?? 'default' }
}

async function deleteItems(store: ResourceStore, items: readonly InputItem[], skip: boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  for (const item of items) {
    if (!item.ok) outcomes.push({ ok: false, kind: item.kind, reason: item.reason })
    else outcomes.push(await deleteTargetOnce(store, targetOf(item.resource, item.legacy), skip))
  }
  return outcomes
}

/** A v1 peer manifest names its peer by address and scope, as `delete bgpPeer IP --scope` does. */
function targetOf(resource: AnyResource, legacy: boolean): Target {
  if (legacy && resource.kind === 'BGPPeer') {
    const peer = peerAddress(resource)
    if (peer !== undefined) {
      const scope = resource.spec.node !== undefined ? 'node' : 'global'
      return {
        by: 'peer',
        filter: { scope, ...(resource.spec.node !== undefined && { node: resource.spec.node }), peer },
        label: `BGPPeer(scope=${scope}${resource.spec.node !== undefined ? `, node=${resource.spec.node}` : ''}, peerIP=${resource.spec.peerIP})`,
      }
    }
  }
  return { by: 'name', kind: resource.kind, name: resource.metadata.name, namespace: resource.metadata.namespace ?? 'default' }
}

async function deleteTargetOnce(store: ResourceStore, target: Target, skip: boolean): Promise<Outcome> {
  const kind = target.by === 'name' ? target.kind : 'BGPPeer'
  if (kind === 'WorkloadEndpoint') {
    return { ok: false, kind, reason: 'workload endpoints are managed by the orchestrator and are read-only in falconer' }
  }
  try {
    if (target.by === 'name') {
      await store.delete(target.kind, target.name, target.kind === 'WorkloadEndpoint' ? { namespace: target.namespace } : undefined)
      return { ok: true, kind }
    }
    const matches = (await store.list('BGPPeer')).filter((p: BGPPeer) => peerMatches(p, target.filter))
    if (matches.length === 0) {
      return skip ? { ok: true, kind } : { ok: false, kind, reason: `resource does not exist: ${target.label}` }
    }
    for (const p of matches) {
      const rv = p.metadata.resourceVersion
      await store.delete('BGPPeer', p.metadata.name, rv !== undefined ? { resourceVersion: rv } : undefined)
    }
    return { ok: true, kind }
  } catch (err) {
    if (err instanceof NotFoundError && skip) return { ok: true, kind }
    if (err instanceof UnavailableError) throw err
    if (err instanceof DatastoreError || err instanceof ValidationError) return { ok: false, kind, reason: err.message }
    throw err
  }
}
