import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { BirdDaemonName } from '../bird/supervisor/daemons.js'
import type { SyncStatus } from '../datastore/syncer.js'
import { isEstablished, type BirdSample, type IpFamily, type PeerSample, type RouteCountsSample } from './samples.js'

/** BGP FSM states as numbers (RFC 4271 order), so one gauge series per peer tracks its state. */
export const SESSION_STATE_VALUES: Readonly<Record<string, number>> = {
  Idle: 1,
  Connect: 2,
  Active: 3,
  OpenSent: 4,
  OpenConfirm: 5,
  Established: 6,
  Close: 7,
}

export function sessionStateValue(bgpState: string): number {
  return SESSION_STATE_VALUES[bgpState] ?? 0
}

export const DEFAULT_MAX_SERIES = 100

const familyLabel = (f: IpFamily) => (f === 4 ? 'ipv4' : 'ipv6')
const daemonOf = (f: IpFamily): BirdDaemonName => (f === 4 ? 'bird' : 'bird6')
const SYNC_STATES: readonly SyncStatus[] = ['syncing', 'in-sync', 'resyncing', 'disconnected']
const ROUTE_KINDS = ['imported', 'exported', 'filtered', 'preferred'] as const

/** Why a config did not get into BIRD: `bird -p` refused it, or BIRD's `configure` did. */
export type ReloadFailureStage = 'check' | 'configure' | 'error'

/**
 * falconer's Prometheus metrics, in a registry of their own (never prom-client's global
 * one, so two agents in one process — tests, labs — do not collide). Per-peer and
 * per-protocol series are computed at scrape time from the latest BIRD samples and bounded
 * by `maxSeries` per metric (the first ones by family and protocol name): a node with
 * thousands of peers must not explode the scrape. Peers past the bound still count in the
 * aggregate gauges, and each distinct dropped series is counted once, when a sample first
 * carries it.
 */
export class StatusMetrics {
  readonly registry = new Registry()
  private readonly samples = new Map<IpFamily, BirdSample>()
  private readonly droppedKeys = new Set<string>()
  /** Per exported session (family/protocol): what the previous sample said, to count changes. */
  private readonly lastState = new Map<string, { bgpState: string; sinceMs: number | undefined; labels: SessionLabels }>()
  private syncStatus: SyncStatus | undefined

  private readonly dropped = new Counter({
    name: 'falconer_metric_series_dropped_total',
    help: 'Distinct per-peer or per-protocol series not exported because of the series cap',
    labelNames: ['metric'] as const,
    registers: [this.registry],
  })
  private readonly applies = new Counter({
    name: 'falconer_config_applies_total',
    help: 'BIRD config applies that succeeded (written and reloaded, or unchanged)',
    labelNames: ['family'] as const,
    registers: [this.registry],
  })
  private readonly applyFailures = new Counter({
    name: 'falconer_config_apply_failures_total',
    help: 'BIRD config applies that failed (rejected by BIRD or an error)',
    labelNames: ['family'] as const,
    registers: [this.registry],
  })
  private readonly applyDuration = new Histogram({
    name: 'falconer_config_apply_duration_seconds',
    help: 'Time to check, write and reload a BIRD config',
    labelNames: ['family'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  })
  private readonly applyPending = new Gauge({
    name: 'falconer_config_apply_failing',
    help: '1 while the last apply of this family failed with an error and a retry is pending',
    labelNames: ['family'] as const,
    registers: [this.registry],
  })
  private readonly synced = new Gauge({
    name: 'falconer_datastore_synced',
    help: '1 when the datastore view is in sync, 0 otherwise',
    registers: [this.registry],
  })
  private readonly restarts = new Counter({
    name: 'falconer_bird_restarts_total',
    help: 'Times a BIRD daemon was started again after it had been running',
    labelNames: ['daemon'] as const,
    registers: [this.registry],
  })
  private readonly reloadFailures = new Counter({
    name: 'falconer_bird_reload_failures_total',
    help: 'Configs that did not get into BIRD, by stage: check (bird -p refused it), configure (BIRD refused the reload), error (the apply failed otherwise)',
    labelNames: ['daemon', 'stage'] as const,
    registers: [this.registry],
  })
  private readonly configLoaded = new Gauge({
    name: 'falconer_bird_config_loaded_timestamp_seconds',
    help: 'When BIRD last loaded a new config from falconer (Unix time); time() minus this is the config age',
    labelNames: ['daemon'] as const,
    registers: [this.registry],
  })
  private readonly appliedRevision = new Gauge({
    name: 'falconer_config_applied_revision',
    help: 'Datastore revision of the newest intent whose config BIRD runs (applied, or unchanged by it)',
    labelNames: ['family'] as const,
    registers: [this.registry],
  })
  private readonly datastoreRevision = new Gauge({
    name: 'falconer_datastore_revision',
    help: 'Datastore revision of the newest consistent snapshot the agent received (the intent)',
    registers: [this.registry],
  })
  private readonly datastoreErrors = new Counter({
    name: 'falconer_datastore_errors_total',
    help: 'Times the datastore view was lost (watch failed and a resync started, or the connection dropped)',
    registers: [this.registry],
  })
  private readonly stateChanges = new Counter({
    name: 'falconer_bgp_session_state_changes_total',
    help: 'BGP session state changes seen between polls (a session that went down and came back between two polls counts 2)',
    labelNames: ['family', 'peer', 'type'] as const,
    registers: [this.registry],
  })

  constructor(
    readonly maxSeries: number = DEFAULT_MAX_SERIES,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxSeries) || maxSeries < 0) {
      throw new RangeError(`maxSeries must be a non-negative integer, not ${maxSeries}`)
    }
    this.synced.set(0)
    for (const f of [4, 6] as const) this.applyPending.set({ family: familyLabel(f) }, 0)
    this.datastoreErrors.inc(0)
    const self = this
    new Gauge({
      name: 'falconer_datastore_sync_state',
      help: 'The agent\'s datastore sync state: 1 for the current one of syncing, in-sync, resyncing, disconnected',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        if (self.syncStatus === undefined) return
        for (const state of SYNC_STATES) this.set({ state }, state === self.syncStatus ? 1 : 0)
      },
    })
    new Gauge({
      name: 'falconer_bgp_session_up',
      help: '1 when the BGP session is Established, 0 otherwise',
      labelNames: ['family', 'peer', 'type'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const { family, peer } of self.capped(self.peers())) this.set(sessionLabels(family, peer), isEstablished(peer) ? 1 : 0)
      },
    })
    new Gauge({
      name: 'falconer_bgp_session_uptime_seconds',
      help: 'Seconds since an Established session came up (BIRD\'s clock); 0 when not Established',
      labelNames: ['family', 'peer', 'type'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        const at = self.now()
        for (const { family, peer } of self.capped(self.peers())) {
          const up = isEstablished(peer) && peer.sinceMs !== undefined ? Math.max(0, (at - peer.sinceMs) / 1000) : 0
          this.set(sessionLabels(family, peer), up)
        }
      },
    })
    for (const kind of ROUTE_KINDS) {
      new Gauge({
        name: `falconer_bgp_session_prefixes_${kind}`,
        help: `Prefixes ${kind} by the BGP session (BIRD's "Routes:" line${kind === 'filtered' ? '; only with import keep filtered' : ''})`,
        labelNames: ['family', 'peer', 'type'] as const,
        registers: [this.registry],
        collect() {
          this.reset()
          for (const { family, peer } of self.capped(self.peers())) {
            const value = routeCount(peer.routes, kind)
            if (value !== undefined) this.set(sessionLabels(family, peer), value)
          }
        },
      })
    }
    new Gauge({
      name: 'falconer_bird_up',
      help: '1 when the BIRD daemon answers its control socket',
      labelNames: ['daemon'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const [family, sample] of self.samples) this.set({ daemon: family === 4 ? 'bird' : 'bird6' }, sample.answering ? 1 : 0)
      },
    })
    new Gauge({
      name: 'falconer_bgp_session_state',
      help: 'BGP session state per peer: 0 unknown/down, 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established, 7 Close',
      labelNames: ['family', 'peer', 'type'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const { family, peer } of self.capped(self.peers())) {
          this.set({ family: familyLabel(family), peer: peer.peerIP, type: peer.type }, sessionStateValue(peer.bgpState))
        }
      },
    })
    new Gauge({
      name: 'falconer_bgp_sessions',
      help: 'BGP sessions by state (all peers, including those past the series cap)',
      labelNames: ['family', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset()
        for (const [family, sample] of self.samples) {
          if (!sample.answering) continue
          const up = sample.peers.filter(isEstablished).length
          this.set({ family: familyLabel(family), state: 'established' }, up)
          this.set({ family: familyLabel(family), state: 'not_established' }, sample.peers.length - up)
        }
      },
    })
    for (const direction of ROUTE_KINDS) {
      const name = `falconer_bird_routes_${direction}`
      new Gauge({
        name,
        help: `Routes ${direction} by each BIRD protocol (\`show protocols all\`)`,
        labelNames: ['family', 'protocol'] as const,
        registers: [this.registry],
        collect() {
          this.reset()
          for (const { family, routes } of self.capped(self.protocolRoutes())) {
            const value = routeCount(routes, direction)
            if (value !== undefined) this.set({ family: familyLabel(family), protocol: routes.protocol }, value)
          }
        },
      })
    }
  }

  setBirdSample(family: IpFamily, sample: BirdSample | undefined): void {
    if (sample === undefined) this.samples.delete(family)
    else this.samples.set(family, sample)
    this.countDropped()
    this.countStateChanges()
  }

  setSynced(synced: boolean): void {
    this.synced.set(synced ? 1 : 0)
  }

  /** Every status the syncer reports; losing the view (resync, disconnect) counts as an error. */
  setSyncStatus(status: SyncStatus): void {
    const lost = (status === 'resyncing' || status === 'disconnected') && this.syncStatus !== status && this.syncStatus !== undefined
    if (lost) this.datastoreErrors.inc()
    this.syncStatus = status
    this.setSynced(status === 'in-sync')
  }

  setDatastoreRevision(revision: number): void {
    this.datastoreRevision.set(revision)
  }

  /** BIRD runs the config of this revision's intent (just applied, or already identical). */
  setAppliedRevision(family: IpFamily, revision: number): void {
    this.appliedRevision.set({ family: familyLabel(family) }, revision)
  }

  recordApply(family: IpFamily, ok: boolean, seconds: number, failedStage?: ReloadFailureStage): void {
    const labels = { family: familyLabel(family) }
    ;(ok ? this.applies : this.applyFailures).inc(labels)
    this.applyDuration.observe(labels, seconds)
    if (ok) this.configLoaded.set({ daemon: daemonOf(family) }, this.now() / 1000)
    else this.reloadFailures.inc({ daemon: daemonOf(family), stage: failedStage ?? 'error' })
  }

  setApplyFailing(family: IpFamily, failing: boolean): void {
    this.applyPending.set({ family: familyLabel(family) }, failing ? 1 : 0)
  }

  recordBirdRestart(daemon: BirdDaemonName): void {
    this.restarts.inc({ daemon })
  }

  /**
   * Compares each exported session with the previous sample: a different state is one
   * change; the same state with a different start time means it left and came back.
   * Sessions that are gone lose their series, so churn does not grow the scrape.
   */
  private countStateChanges(): void {
    const seen = new Set<string>()
    for (const { key, family, peer } of this.capped(this.peers())) {
      seen.add(key)
      const labels = sessionLabels(family, peer)
      const before = this.lastState.get(key)
      if (before === undefined) this.stateChanges.inc(labels, 0)
      else if (before.bgpState !== peer.bgpState) this.stateChanges.inc(labels, 1)
      else if (before.sinceMs !== undefined && peer.sinceMs !== undefined && before.sinceMs !== peer.sinceMs) this.stateChanges.inc(labels, 2)
      this.lastState.set(key, { bgpState: peer.bgpState, sinceMs: peer.sinceMs, labels })
    }
    for (const [key, { labels }] of this.lastState) {
      const family = Number(key.split('/')[0]) as IpFamily
      // A daemon that does not answer says nothing about its sessions: keep them.
      if (seen.has(key) || !this.samples.get(family)?.answering) continue
      this.lastState.delete(key)
      this.stateChanges.remove(labels)
    }
  }

  private peers(): { key: string; family: IpFamily; peer: PeerSample }[] {
    return this.answeringSamples()
      .flatMap(([family, s]) => s.peers.map((peer) => ({ key: `${family}/${peer.protocol}`, family, peer })))
  }

  private protocolRoutes() {
    return this.answeringSamples()
      .flatMap(([family, s]) => s.routes.map((routes) => ({ key: `${family}/${routes.protocol}`, family, routes })))
  }

  private answeringSamples() {
    return [...this.samples]
      .sort(([a], [b]) => a - b)
      .flatMap(([family, s]) => (s.answering ? [[family, s] as const] : []))
  }

  /** The first `maxSeries` in a stable order (by key). */
  private capped<T extends { key: string }>(series: T[]): T[] {
    return sortByKey(series).slice(0, this.maxSeries)
  }

  /** Counts, once each, the series a new sample pushes past the cap. */
  private countDropped(): void {
    const over = (metric: string, keys: string[]) => {
      for (const key of sortByKey(keys.map((k) => ({ key: k }))).slice(this.maxSeries)) {
        const id = `${metric}\u0000${key.key}`
        if (this.droppedKeys.has(id)) continue
        this.droppedKeys.add(id)
        this.dropped.inc({ metric })
      }
    }
    over('falconer_bgp_session_state', this.peers().map((p) => p.key))
    const routes = this.protocolRoutes().map((r) => r.key)
    for (const kind of ROUTE_KINDS) over(`falconer_bird_routes_${kind}`, routes)
  }
}

type SessionLabels = { family: string; peer: string; type: string }

function sessionLabels(family: IpFamily, peer: PeerSample): SessionLabels {
  return { family: familyLabel(family), peer: peer.peerIP, type: peer.type }
}

function routeCount(routes: RouteCountsSample | undefined, kind: (typeof ROUTE_KINDS)[number]): number | undefined {
  return routes?.[kind]
}

function sortByKey<T extends { key: string }>(series: T[]): T[] {
  return [...series].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}
