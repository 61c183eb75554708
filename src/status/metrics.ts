import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { BirdDaemonName } from '../bird/supervisor/daemons.js'
import { isEstablished, type BirdSample, type IpFamily, type PeerSample } from './samples.js'

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

  constructor(readonly maxSeries: number = DEFAULT_MAX_SERIES) {
    if (!Number.isInteger(maxSeries) || maxSeries < 0) {
      throw new RangeError(`maxSeries must be a non-negative integer, not ${maxSeries}`)
    }
    this.synced.set(0)
    for (const f of [4, 6] as const) this.applyPending.set({ family: familyLabel(f) }, 0)
    const self = this
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
    for (const direction of ['imported', 'exported'] as const) {
      const name = `falconer_bird_routes_${direction}`
      new Gauge({
        name,
        help: `Routes ${direction} by each BIRD protocol (\`show protocols all\`)`,
        labelNames: ['family', 'protocol'] as const,
        registers: [this.registry],
        collect() {
          this.reset()
          for (const { family, routes } of self.capped(self.protocolRoutes())) {
            this.set({ family: familyLabel(family), protocol: routes.protocol }, routes[direction])
          }
        },
      })
    }
  }

  setBirdSample(family: IpFamily, sample: BirdSample | undefined): void {
    if (sample === undefined) this.samples.delete(family)
    else this.samples.set(family, sample)
    this.countDropped()
  }

  setSynced(synced: boolean): void {
    this.synced.set(synced ? 1 : 0)
  }

  recordApply(family: IpFamily, ok: boolean, seconds: number): void {
    const labels = { family: familyLabel(family) }
    ;(ok ? this.applies : this.applyFailures).inc(labels)
    this.applyDuration.observe(labels, seconds)
  }

  setApplyFailing(family: IpFamily, failing: boolean): void {
    this.applyPending.set({ family: familyLabel(family) }, failing ? 1 : 0)
  }

  recordBirdRestart(daemon: BirdDaemonName): void {
    this.restarts.inc({ daemon })
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
    over('falconer_bird_routes_imported', routes)
    over('falconer_bird_routes_exported', routes)
  }
}

function sortByKey<T extends { key: string }>(series: T[]): T[] {
  return [...series].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}
