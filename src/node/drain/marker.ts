import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { readIfExists, writeFileAtomic } from '../../fs/atomic-file.js'

/**
 * The drain state lives in two small files, so that it works the same under systemd,
 * detached and in the lab, and needs no channel into the agent:
 *
 * - the marker, `<stateDir>/drained`, written by `node drain` and removed by `node undrain`.
 *   The state dir survives agent restarts and reboots, so a node drained for maintenance
 *   stays drained until it is undrained. The agent reads it at every render and watches it.
 * - the applied file, `<runDir>/drain-applied`, written by the agent after BIRD accepted a
 *   config rendered with (or without) the drain, naming the marker it applied. `node drain`
 *   waits for it: that is the moment peers start to be told. It lives in the run dir: it
 *   describes the running agent only, and the agent rewrites it at every apply.
 */

/** Why the node is drained, which decides what a restarting agent does with the marker. */
export type DrainScope =
  /** `node drain`: until `node undrain`, across restarts. */
  | 'maintenance'
  /** `node stop --drain` or the unit's stop path: only until the agent starts again. */
  | 'stop'

export interface DrainMarker {
  /** Unique per drain, so `node drain` recognises the apply of its own marker. */
  readonly id: string
  /** ISO time the drain was requested (shown by `node status`). */
  readonly since: string
  readonly scope: DrainScope
}

export interface DrainApplied {
  /** The marker's id the running config carries; undefined: applied undrained. */
  readonly id: string | undefined
  /** ISO time of the apply. */
  readonly at: string
}

/** The marker's path (paths.stateDir) and the applied file's (paths.runDir). */
export function drainMarkerPath(stateDir: string): string {
  return join(stateDir, 'drained')
}

export function drainAppliedPath(runDir: string): string {
  return join(runDir, 'drain-applied')
}

/** A file that exists but cannot be read as a marker. */
export class DrainMarkerError extends Error {
  override readonly name = 'DrainMarkerError'
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`drain marker ${file}: ${reason}`)
  }
}

export function newDrainMarker(scope: DrainScope, now: Date): DrainMarker {
  return { id: randomBytes(8).toString('hex'), since: now.toISOString(), scope }
}

/**
 * Parses a marker file's text. An operator may also create it by hand (`touch`): an empty
 * file is a maintenance drain (id `manual`); a marker present always means drained.
 */
export function parseDrainMarker(text: string, file: string): DrainMarker {
  if (text.trim() === '') return { id: 'manual', since: '', scope: 'maintenance' }
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new DrainMarkerError(file, 'not JSON (write it with `falconer node drain`, or leave it empty)')
  }
  if (typeof v !== 'object' || v === null) throw new DrainMarkerError(file, 'not a JSON object')
  const o = v as Record<string, unknown>
  if (typeof o['id'] !== 'string' || o['id'] === '') throw new DrainMarkerError(file, 'field "id": must be a non-empty string')
  if (o['since'] !== undefined && typeof o['since'] !== 'string') throw new DrainMarkerError(file, 'field "since": must be a string')
  if (o['scope'] !== undefined && o['scope'] !== 'maintenance' && o['scope'] !== 'stop') {
    throw new DrainMarkerError(file, 'field "scope": must be "maintenance" or "stop"')
  }
  return { id: o['id'], since: (o['since'] as string | undefined) ?? '', scope: (o['scope'] as DrainScope | undefined) ?? 'maintenance' }
}

/**
 * The marker, or undefined when there is none. An unreadable or malformed marker counts as
 * a maintenance drain (the operator asked for one; advertising at full preference because
 * the file is damaged would be the surprising side) and is reported through `onProblem`.
 */
export async function readDrainMarker(file: string, onProblem?: (err: Error) => void): Promise<DrainMarker | undefined> {
  let text: string | undefined
  try {
    text = await readIfExists(file)
  } catch (err) {
    onProblem?.(new DrainMarkerError(file, `cannot read: ${(err as Error).message}`))
    return { id: 'unreadable', since: '', scope: 'maintenance' }
  }
  if (text === undefined) return undefined
  try {
    return parseDrainMarker(text, file)
  } catch (err) {
    onProblem?.(err as Error)
    return { id: 'malformed', since: '', scope: 'maintenance' }
  }
}

export async function writeDrainMarker(file: string, marker: DrainMarker): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFileAtomic(file, `${JSON.stringify(marker)}\n`)
}

export async function removeDrainMarker(file: string): Promise<void> {
  await rm(file, { force: true })
}

export async function writeDrainApplied(file: string, applied: DrainApplied): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFileAtomic(file, `${JSON.stringify(applied)}\n`)
}

/** undefined: no file, or one this code did not write (treated as "nothing applied yet"). */
export async function readDrainApplied(file: string): Promise<DrainApplied | undefined> {
  const text = await readIfExists(file)
  if (text === undefined) return undefined
  try {
    const v = JSON.parse(text) as { id?: unknown; at?: unknown }
    return { id: typeof v.id === 'string' ? v.id : undefined, at: typeof v.at === 'string' ? v.at : '' }
  } catch {
    return undefined
  }
}
