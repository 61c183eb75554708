import { isDeepStrictEqual } from 'node:util'
import { watch, type FSWatcher } from 'chokidar'
import type { Snapshot } from './api/snapshot.js'
import { EtcdStore } from './datastore/etcd-store.js'
import { startSyncer, type Syncer, type SyncStatus } from './datastore/syncer.js'
import type { Logger } from './log.js'
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
}

/**
 * The agent's connection to etcd: a store, the syncer on its client, and whatever else
 * needs the store. chokidar watches the client config file; when the datastore settings in
 * it change, the connection is rebuilt. Until the new syncer's first snapshot the
 * reconciler keeps what it had, so BIRD keeps its last good config meanwhile.
 */
export class DatastoreLink {
  private current: { store: EtcdStore; syncer: Syncer; extra: { stop(): Promise<void> } } | undefined
  private datastore: DatastoreSettings
  private watcher: FSWatcher | undefined
  private switching: Promise<void> = Promise.resolve()

  constructor(private readonly opts: DatastoreLinkOptions) {
    this.datastore = opts.settings.datastore
  }

  async start(): Promise<void> {
    await this.connect(this.datastore)
    const reload = this.opts.reloadSettings
    if (!reload) return
    this.watcher = watch(this.opts.settings.paths.clientConfig, { ignoreInitial: true })
    this.watcher.on('all', () => {
      this.switching = this.switching.then(() => this.onConfigChange(reload))
    })
    this.watcher.on('error', (err) => this.opts.log.warn({ err }, 'client config watch failed'))
  }

  async stop(): Promise<void> {
    await this.watcher?.close()
    await this.switching
    await this.disconnect()
  }

  private async onConfigChange(reload: () => Settings): Promise<void> {
    let next: DatastoreSettings
    try {
      next = reload().datastore
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'client config changed but is invalid; keeping the current datastore connection')
      return
    }
    if (isDeepStrictEqual(next, this.datastore)) return
    this.opts.log.info({ endpoints: next.endpoints }, 'client config changed; reconnecting to the datastore')
    await this.disconnect()
    this.datastore = next
    try {
      await this.connect(next)
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'cannot connect with the new client config; BIRD keeps its last config')
    }
  }

  private async connect(settings: DatastoreSettings): Promise<void> {
    const store = await EtcdStore.connect(settings, this.opts.log)
    const syncer = startSyncer(store.client, { log: this.opts.log, onSnapshot: this.opts.onSnapshot, onStatus: this.opts.onStatus })
    this.current = { store, syncer, extra: this.opts.onConnected(store) }
  }

  private async disconnect(): Promise<void> {
    const c = this.current
    this.current = undefined
    if (!c) return
    await c.extra.stop()
    await c.syncer.stop() // before its client closes
    await c.store.close()
  }
}
