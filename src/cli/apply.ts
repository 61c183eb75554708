import type { Command } from 'commander'
import { ValidationError } from '../api/errors.js'
import type { AnyResource } from '../api/types.js'
import { AlreadyExistsError, DatastoreError, UnavailableError } from '../datastore/errors.js'
import type { ResourceStore } from '../datastore/store.js'
import { withStore, write, writeErr } from './context.js'
import { CliError, ReportedError } from './errors.js'
import { readManifestFile, resourcesFromDocuments, type InputItem } from './input.js'
import { reportOutcomes, type Action, type Outcome } from './print/outcomes.js'

export type WriteAction = Extract<Action, 'create' | 'apply' | 'replace'>

export async function applyManifest(action: WriteAction, opts: { filename: string; skipExists?: boolean }, self: Command): Promise<void> {
  const items = resourcesFromDocuments(await readManifestFile(opts.filename))
  if (items.length === 0) throw new CliError('No resources specified in file')
  // Nothing valid to write: report without contacting the datastore.
  const outcomes = items.some((i) => i.ok)
    ? await withStore(self, (store) => writeAll(store, action, items, opts.skipExists === true))
    : failuresOnly(items)
  printReport(action, outcomes)
}

export function failuresOnly(items: readonly InputItem[]): Outcome[] {
  return items.flatMap((i) => (i.ok ? [] : [{ ok: false as const, kind: i.kind, reason: i.reason }]))
}

/** Every resource is attempted in input order; a dead datastore aborts the run (UnavailableError). */
async function writeAll(store: ResourceStore, action: WriteAction, items: readonly InputItem[], skipExists: boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  for (const item of items) {
    if (!item.ok) {
      outcomes.push({ ok: false, kind: item.kind, reason: item.reason })
      continue
    }
    outcomes.push(await writeOne(store, action, item.resource, skipExists))
  }
  return outcomes
}

async function writeOne(store: ResourceStore, action: WriteAction, resource: AnyResource, skipExists: boolean): Promise<Outcome> {
  const kind = resource.kind
  if (kind === 'WorkloadEndpoint') {
    return { ok: false, kind, reason: 'workload endpoints are managed by the orchestrator and are read-only in falconer' }
  }
  try {
    if (action === 'create') await store.create(resource)
    else if (action === 'apply') await store.apply(resource)
    else await store.update(resource)
    return { ok: true, kind }
  } catch (err) {
    if (err instanceof AlreadyExistsError && action === 'create' && skipExists) return { ok: true, kind }
    if (err instanceof UnavailableError) throw err
    if (err instanceof DatastoreError || err instanceof ValidationError) return { ok: false, kind, reason: err.message }
    throw err
  }
}

export function printReport(action: Action, outcomes: readonly Outcome[]): void {
  const report = reportOutcomes(action, outcomes)
  write(report.stdout)
  writeErr(report.stderr)
  if (report.failures > 0) throw new ReportedError(report.failures)
}
