import type { EventEmitter } from 'node:events'
import type { Etcd3, IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from 'etcd3'
import type { Snapshot } from '../api/snapshot.js'
import { silentLogger, type Logger } from '../log.js'
import { rangeOf } from './kv-ops.js'
import { applyChanges, isSyncedKey, snapshotOf, SYNCED_PREFIXES, SYNCED_RANGE, type KeyChange, type KnownResources } from './snapshot-state.js'

export type SyncStatus = 'syncing' | 'in-sync' | 'resyncing' | 'disconnected'

export interface SyncerOptions {
  /** Called with every new snapshot, in revision order; never before the initial list completed. */
  onSnapshot(snapshot: Snapshot): void
  onStatus?(status: SyncStatus): void
  log?: Logger
  /** Reconnect backoff after a failure, doubling from `initialMs` up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number }
  /**
   * Resources just read from this same datastore (the Nodes startup listed): the initial
   * list takes those still at the same revision instead of decoding them again. Called by
   * the first list only; the caller drops its reference then, so nothing keeps them alive.
   */
  takeKnown?: () => KnownResources | undefined
}

export interface Syncer {
  stop(): Promise<void>
  /** The last emitted snapshot. */
  current(): Snapshot | undefined
}

/**
 * List + watch of the BGP-relevant part of the datastore, producing consistent,
 * revisioned snapshots (invariant 1 in docs/design.md: nothing before the initial list; never a partial
 * view). The initial list reads every prefix at one revision; the watch resumes from the
 * last revision this syncer applied — never from what etcd3's own watcher believes, which
 * can run ahead of the events actually delivered — and a compacted revision or a wiped
 * datastore means a full re-list whose snapshot replaces the old one outright.
 */
export function startSyncer(client: Etcd3, opts: SyncerOptions): Syncer {
  const loop = new SyncLoop(client, opts)
  return { stop: () => loop.stop(), current: () => loop.snapshot }
}

class WatchEndedError extends Error {
  override readonly name = 'WatchEndedError'
  constructor(reason: string) {
    super(`etcd watch ended: ${reason}`)
  }
}

class SyncLoop {
  snapshot: Snapshot | undefined
  /** Every event up to and including this revision has been applied. */
  private revision = 0
  private status: SyncStatus | undefined
  private stopped = false
  /** Ends the current watch (its stream is closed on the way out); set while one runs. */
  private abortWatch: (() => void) | undefined
  private wake: (() => void) | undefined
  private listed = false
  private readonly log: Logger
  private readonly done: Promise<void>

  constructor(
    private readonly client: Etcd3,
    private readonly opts: SyncerOptions,
  ) {
    this.log = opts.log ?? silentLogger
    this.done = this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    this.abortWatch?.()
    await this.done
  }

  private async run(): Promise<void> {
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 200, maxMs: 5_000 }
    let delay = initialMs
    let needList = true
    this.setStatus('syncing')
    while (!this.stopped) {
      try {
        if (needList) {
          if (this.snapshot) this.setStatus('resyncing')
          const snapshot = await this.list()
          if (this.stopped) break
          this.emit(snapshot)
          needList = false
        } else if ((await this.currentRevision()) < this.revision) {
          // etcd came back with less history than we saw: it was restored or wiped.
          this.log.warn({ revision: this.revision }, 'etcd revision went backwards; resyncing from a full list')
          needList = true
          continue
        }
        await this.watch(() => {
          delay = initialMs
          this.setStatus('in-sync')
        })
        this.log.warn({ revision: this.revision }, 'etcd compacted past our revision; resyncing from a full list')
        needList = true
      } catch (e) {
        if (this.stopped) break
        this.log.warn({ err: e, revision: this.revision }, 'etcd sync interrupted; retrying')
        if (this.snapshot) this.setStatus('disconnected')
        await this.sleep(delay)
        delay = Math.min(delay * 2, maxMs)
      }
    }
  }

  /** Every synced prefix at one revision: the first range fixes it, the rest are pinned to it. */
  private async list(): Promise<Snapshot> {
    const [first, ...rest] = SYNCED_PREFIXES
    const head = await this.client.kv.range(rangeOf(first!, { prefix: true }))
    const revision = Number(head.header.revision)
    const others = await Promise.all(rest.map((p) => this.client.kv.range(rangeOf(p, { prefix: true, revision }))))
    const changes = [head, ...others].flatMap((res) =>
      res.kvs.map((kv): KeyChange => ({ key: kv.key.toString(), value: kv.value, modRevision: kv.mod_revision })),
    )
    this.revision = revision
    const known = this.listed ? undefined : this.opts.takeKnown?.()
    this.listed = true
    return snapshotOf(changes, revision, known)
  }

  private async currentRevision(): Promise<number> {
    const res = await this.client.kv.range(rangeOf(SYNCED_PREFIXES[0]!, { keysOnly: true }))
    return Number(res.header.revision)
  }

  /**
   * One watch stream from `revision + 1`. Resolves when etcd says that revision was
   * compacted; rejects when the stream fails (the caller backs off and resumes).
   */
  private async watch(onCreated: () => void): Promise<void> {
    const stream = await this.client.watchClient.watch()
    try {
      await new Promise<void>((resolve, reject) => {
        this.abortWatch = () => reject(new WatchEndedError('stopped'))
        if (this.stopped) return this.abortWatch()
        stream.on('data', (res) => {
          try {
            if (res.compact_revision !== '0' && res.compact_revision !== '') return resolve()
            if (res.canceled) return reject(new WatchEndedError(res.cancel_reason || 'canceled by etcd'))
            if (res.created) return onCreated()
            if (res.events.length > 0) this.apply(res.events)
            else this.progress(Number(res.header.revision))
          } catch (e) {
            reject(e as Error)
          }
        })
        stream.on('error', reject)
        stream.on('end', () => reject(new WatchEndedError('stream closed by etcd')))
        stream.write({
          create_request: {
            key: SYNCED_RANGE.start,
            range_end: SYNCED_RANGE.end,
            start_revision: this.revision + 1,
            progress_notify: true,
          },
        })
      })
    } finally {
      this.abortWatch = undefined
      closeStream(stream)
    }
  }

  /** One watch response is one batch: all its events become one snapshot. */
  private apply(events: readonly IEvent[]): void {
    let last = this.revision
    const changes: KeyChange[] = []
    for (const ev of events) {
      const revision = Number(ev.kv.mod_revision)
      // A watch never repeats a revision; this guards the invariant, not a known case.
      if (revision <= this.revision) continue
      last = Math.max(last, revision)
      const key = ev.kv.key.toString()
      if (!isSyncedKey(key)) continue
      changes.push({ key, modRevision: ev.kv.mod_revision, ...(ev.type === 'Put' && { value: ev.kv.value }) })
    }
    this.revision = last
    if (changes.length > 0 && this.snapshot) this.emit(applyChanges(this.snapshot, changes, last))
  }

  /**
   * A progress notification: etcd promises that every later event has a higher revision,
   * so a quiet range can resume from here instead of from a revision that may since
   * have been compacted (which would force a full resync).
   */
  private progress(revision: number): void {
    if (revision <= this.revision) return
    this.revision = revision
    this.log.debug({ revision }, 'watch progress')
  }

  private emit(snapshot: Snapshot): void {
    this.snapshot = snapshot
    try {
      this.opts.onSnapshot(snapshot)
    } catch (e) {
      this.log.error({ err: e, revision: snapshot.revision }, 'snapshot consumer failed')
    }
  }

  private setStatus(status: SyncStatus): void {
    if (status === this.status) return
    this.status = status
    this.log.info({ status, revision: this.revision }, 'datastore sync status')
    try {
      this.opts.onStatus?.(status)
    } catch (e) {
      this.log.error({ err: e }, 'sync status consumer failed')
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}

/**
 * Cancels a stream we are done with. etcd3 counts any error on a watch stream against
 * the endpoint (and resets its connections), so our own cancellation is kept from it.
 */
function closeStream(stream: IDuplexStream<IWatchRequest, IWatchResponse>): void {
  const emitter = stream as unknown as EventEmitter
  emitter.removeAllListeners('error')
  emitter.removeAllListeners('data')
  emitter.on('error', () => undefined)
  stream.cancel()
}
