import { isDeepStrictEqual } from 'node:util'
import { watch, type FSWatcher } from 'chokidar'
import type { Snapshot } from './api/snapshot.js'
import { EtcdStore } from './datastore/etcd-store.js'
import type { KnownResources } from './datastore/snapshot-state.js'
import { startSyncer, type Syncer, type SyncStatus } from './datastore/syncer.js'
import type { Logger } from './log.js'
import { retryDelayMs, type RetryPolicy } from './retry-delay.js'
import type { DatastoreSettings, Settings } from './settings/settings.js'

export interface DatastoreLinkOptions {
  readonly settings: Settings
  /** Re-reads flags/env/client config; absent = the client config is not watched. */
  readonly reloadSettings?: () => Settings
  readonly log: Logger
  readonly onSnapshot: (s: Snapshot) => void
  readonly onStatus: (s: SyncStatus) => void
  /** Started with every new connection (status reporting), stopped before it closes. */
  readonly onConnected: (store: EtcdStore) => { stop(): Promise<void> }
  /** Backoff between attempts to connect with new settings (default 1 s doubling to 30 s, jittered). */
  readonly retry?: RetryPolicy
  /**
   * What startup read from the same datastore just before (its Node list), handed over
   * once: the first connection's initial list reuses it (see KnownResources) instead of
   * decoding it again. Later connections (other settings, another cluster) never see it.
   */
  readonly takeStartupListing?: () => KnownResources | undefined
}

export const DEFAULT_CONNECT_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 30_000 }

/**
 * How long the client config must keep its size before it is read. A save truncates, then
 * writes: read in between, the file is empty, which means the default endpoint, and
 * chokidar drops a second event within a few ms of the first, so the write that follows
 * would not be seen at all: the agent would stay on 127.0.0.1:2379 until the next save.
 */
const WRITE_SETTLE_MS = 500

/**
 * The agent's connection to etcd: a store, the syncer on its client, and whatever else
 * needs the store. chokidar watches the client config file; when the datastore settings in
 * it change, the connection is rebuilt. A connection that cannot be made with the new
 * settings (endpoints not up yet) is retried with backoff until it is, and saving the file
 * again retries at once. Meanwhile the status is `disconnected` (readiness fails) and the
 * reconciler is given nothing, so BIRD keeps its last good config.
 */
export class DatastoreLink {
  private current: { store: EtcdStore; syncer: Syncer; extra: { stop(): Promise<void> } } | undefined
  private datastore: DatastoreSettings
  private watcher: FSWatcher | undefined
  private switching: Promise<void> = Promise.resolve()
  private retryTimer: NodeJS.Timeout | undefined
  private failures = 0
  private stopped = false
  private connectedOnce = false

  constructor(private readonly opts: DatastoreLinkOptions) {
    this.datastore = opts.settings.datastore
  }

  async start(): Promise<void> {
    await this.connect(this.datastore)
    const reload = this.opts.reloadSettings
    if (!reload) return
    this.watcher = watch(this.opts.settings.paths.clientConfig, {
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: WRITE_SETTLE_MS, pollInterval: 50 },
    })
    this.watcher.on('all', () => this.serially(() => this.onConfigChange(reload)))
    this.watcher.on('error', (err) => this.opts.log.warn({ err }, 'client config watch failed'))
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.cancelRetry()
    await this.watcher?.close()
    await this.switching
    await this.disconnect()
  }

  /** Switches and retries run one at a time, in order. */
  private serially(step: () => Promise<void>): void {
    this.switching = this.switching.then(step)
  }

  private async onConfigChange(reload: () => Settings): Promise<void> {
    if (this.stopped) return
    let next: DatastoreSettings
    try {
      next = reload().datastore
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'client config changed but is invalid; keeping the current datastore connection')
      return
    }
    const same = isDeepStrictEqual(next, this.datastore)
    if (same && this.current) {
      this.opts.log.debug({ endpoints: next.endpoints }, 'client config saved; datastore settings unchanged')
      return
    }
    // a save while not connected (same or new settings) is a reason to try again now
    this.cancelRetry()
    this.failures = 0
    if (same) {
      this.opts.log.info({ endpoints: next.endpoints }, 'client config saved again; retrying the datastore connection now')
    } else {
      this.opts.log.info({ endpoints: next.endpoints }, 'client config changed; reconnecting to the datastore')
      await this.disconnect()
      this.datastore = next
    }
    await this.tryConnect()
  }

  private async tryConnect(): Promise<void> {
    if (this.stopped || this.current) return
    try {
      await this.connect(this.datastore)
      if (this.failures > 0) this.opts.log.info({ endpoints: this.datastore.endpoints, attempts: this.failures + 1 }, 'connected to the datastore with the new client config')
      this.failures = 0
    } catch (err) {
      this.failures++
      const retryInMs = retryDelayMs(this.opts.retry ?? DEFAULT_CONNECT_RETRY, this.failures)
      this.opts.log.error(
        { err: (err as Error).message, endpoints: this.datastore.endpoints, attempts: this.failures, retryInMs },
        'cannot connect with the new client config; BIRD keeps its last config; retrying',
      )
      if (this.stopped) return
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined
        this.serially(() => this.tryConnect())
      }, retryInMs)
    }
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }

  private async connect(settings: DatastoreSettings): Promise<void> {
    const store = await EtcdStore.connect(settings, this.opts.log)
    // Only the connection made with the settings startup used may take its listing: the first.
    const takeKnown = this.connectedOnce ? undefined : this.opts.takeStartupListing
    this.connectedOnce = true
    const syncer = startSyncer(store.client, {
      log: this.opts.log,
      onSnapshot: this.opts.onSnapshot,
      onStatus: this.opts.onStatus,
      ...(takeKnown !== undefined && { takeKnown }),
    })
    this.current = { store, syncer, extra: this.opts.onConnected(store) }
  }

  private async disconnect(): Promise<void> {
    const c = this.current
    this.current = undefined
    if (!c) return
    await c.extra.stop()
    await c.syncer.stop() // before its client closes
    await c.store.close()
    // no view of the datastore until the next connection has synced
    this.opts.onStatus('disconnected')
  }
}
