import type { CalicoNodeStatus } from '../api/types.js'
import { ConflictError, NotFoundError } from '../datastore/errors.js'
import type { ResourceStore } from '../datastore/store.js'
import { silentLogger, type Logger } from '../log.js'
import { observeFamily } from './bird-queries.js'
import type { BirdSource } from './family-reader.js'
import { canonicalJson } from './canonical-json.js'
import { repliesNeeded, statusContent, type StatusContent } from './node-status-content.js'
import { stabiliseTimes } from './stable-times.js'

export interface NodeStatusReporterOptions {
  readonly store: ResourceStore
  readonly nodeName: string
  /** Control clients of the daemons (shared with the rest of the agent); absent = not run. */
  readonly birds: { readonly v4?: BirdSource; readonly v6?: BirdSource }
  /**
   * How often the CalicoNodeStatus resources are listed to find new, changed and deleted
   * ones (default 5 s). The datastore syncer does not carry them.
   */
  readonly discoveryIntervalMs?: number
  readonly log?: Logger
  readonly now?: () => Date
}

/** Calico's default when a resource does not say. */
export const DEFAULT_UPDATE_PERIOD_SECONDS = 10
const MAX_WRITE_ATTEMPTS = 5

interface Tracked {
  /** The spec the schedule was made for; a different one reschedules. */
  specKey: string
  timer: NodeJS.Timeout | undefined
  /** The refresh in progress, if any; refreshes of one resource never overlap. */
  running: Promise<void> | undefined
  again: boolean
}

/**
 * Fills `status` of every CalicoNodeStatus whose `spec.node` is this node, from what BIRD
 * says, every `updatePeriodSeconds` (0: once, when the resource appears or its spec
 * changes). It writes only when the content (everything but lastUpdated) changed, with
 * compare-and-swap on the resource version (invariant 8 in docs/design.md): on a conflict it re-reads and
 * decides again. A resource that is deleted is dropped, and never re-created.
 *
 * New resources are found by listing them every few seconds rather than by an etcd watch:
 * they are few (Calico advises debugging use only), a list costs one small range request,
 * and it keeps this module on the ResourceStore contract rather than on etcd keys.
 */
export class NodeStatusReporter {
  private readonly tracked = new Map<string, Tracked>()
  private readonly log: Logger
  private readonly now: () => Date
  private discovery: NodeJS.Timeout | undefined
  private discovering: Promise<void> | undefined
  private stopped = false

  constructor(private readonly opts: NodeStatusReporterOptions) {
    this.log = opts.log ?? silentLogger
    this.now = opts.now ?? (() => new Date())
  }

  /** Names of the resources being reported on. */
  reporting(): string[] {
    return [...this.tracked.keys()].sort()
  }

  start(): void {
    if (this.discovery !== undefined || this.discovering !== undefined || this.stopped) return
    void this.discover()
  }

  /** Lists now instead of waiting for the next round; resolves when that round is done. */
  async discoverNow(): Promise<void> {
    await this.discovering
    await this.discover()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.discovery)
    for (const t of this.tracked.values()) clearTimeout(t.timer)
    await this.discovering
    await Promise.all([...this.tracked.values()].map((t) => t.running))
    this.tracked.clear()
  }

  private async discover(): Promise<void> {
    clearTimeout(this.discovery)
    const round = this.discoverOnce()
    this.discovering = round
    try {
      await round
    } finally {
      if (this.discovering === round) this.discovering = undefined
      if (!this.stopped) {
        this.discovery = setTimeout(() => void this.discover(), this.opts.discoveryIntervalMs ?? 5_000)
      }
    }
  }

  private async discoverOnce(): Promise<void> {
    let all: CalicoNodeStatus[]
    try {
      all = await this.opts.store.list('CalicoNodeStatus')
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot list CalicoNodeStatus resources; will retry')
      return
    }
    if (this.stopped) return
    const mine = new Map(all.filter((r) => r.spec.node === this.opts.nodeName).map((r) => [r.metadata.name, r]))
    for (const name of this.tracked.keys()) {
      if (!mine.has(name)) this.untrack(name, 'deleted or no longer for this node')
    }
    for (const [name, resource] of mine) {
      const specKey = canonicalJson(resource.spec)
      const t = this.tracked.get(name)
      if (t === undefined) {
        this.log.info({ name, spec: resource.spec }, 'reporting node status')
        this.tracked.set(name, { specKey, timer: undefined, running: undefined, again: false })
      } else if (t.specKey !== specKey) {
        this.log.info({ name, spec: resource.spec }, 'node status spec changed')
        t.specKey = specKey
      } else {
        continue
      }
      this.refresh(name)
    }
  }

  private untrack(name: string, why: string): void {
    const t = this.tracked.get(name)
    if (t === undefined) return
    clearTimeout(t.timer)
    this.tracked.delete(name)
    this.log.info({ name, why }, 'stopped reporting node status')
  }

  /** Runs a refresh now, or right after the one in progress. */
  private refresh(name: string): void {
    const t = this.tracked.get(name)
    if (t === undefined || this.stopped) return
    if (t.running !== undefined) {
      t.again = true
      return
    }
    clearTimeout(t.timer)
    t.timer = undefined
    const run = this.refreshOnce(name)
      .catch((err: unknown) => this.log.warn({ name, err: (err as Error).message }, 'node status refresh failed; will retry'))
      .then((period) => {
        const current = this.tracked.get(name)
        if (current !== t) return
        t.running = undefined
        if (t.again) {
          t.again = false
          return this.refresh(name)
        }
        const seconds = period ?? DEFAULT_UPDATE_PERIOD_SECONDS
        if (seconds > 0 && !this.stopped) t.timer = setTimeout(() => this.refresh(name), seconds * 1000)
      })
    t.running = run
  }

  /** One refresh; resolves with the period to wait before the next (undefined: the default). */
  private async refreshOnce(name: string): Promise<number | undefined> {
    const { store } = this.opts
    let resource = await store.get('CalicoNodeStatus', name)
    if (resource === undefined || resource.spec.node !== this.opts.nodeName) {
      this.untrack(name, 'deleted')
      return 0
    }
    const spec = resource.spec
    const needs = repliesNeeded(spec.classes)
    const [v4, v6] = await Promise.all([observeFamily(this.opts.birds.v4, needs), observeFamily(this.opts.birds.v6, needs)])
    const observed = statusContent(spec.classes, { v4, v6 })

    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const reported = contentOf(resource.status)
      const content = stabiliseTimes(reported, observed)
      if (canonicalJson(reported) === canonicalJson(content)) return spec.updatePeriodSeconds
      try {
        await store.update({ ...resource, status: { ...content, lastUpdated: rfc3339(this.now()) } })
        this.log.debug({ name, resourceVersion: resource.metadata.resourceVersion }, 'node status written')
        return spec.updatePeriodSeconds
      } catch (err) {
        if (err instanceof NotFoundError) {
          this.untrack(name, 'deleted')
          return 0
        }
        if (!(err instanceof ConflictError)) throw err
        // Someone else wrote it (a spec edit, another writer): read again and decide again.
        const fresh = await store.get('CalicoNodeStatus', name)
        if (fresh === undefined) {
          this.untrack(name, 'deleted')
          return 0
        }
        if (canonicalJson(fresh.spec) !== canonicalJson(spec)) {
          // The spec changed under us: the next discovery reschedules with the new one.
          void this.discoverNow()
          return spec.updatePeriodSeconds
        }
        resource = fresh
      }
    }
    throw new ConflictError('CalicoNodeStatus', name, resource.metadata.resourceVersion ?? 'latest')
  }
}

function contentOf(status: CalicoNodeStatus['status']): StatusContent {
  if (status === undefined) return {}
  const { lastUpdated: _ignored, ...content } = status
  return content
}

/** `2026-11-22T20:15:34Z`: RFC 3339 in UTC, whole seconds, as Calico writes it. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
