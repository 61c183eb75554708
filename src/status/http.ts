import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import type { BirdDaemonName } from '../bird/supervisor/daemons.js'
import { DEFAULT_HEALTH_HOST, DEFAULT_HEALTH_PORT } from '../settings/settings.js'
import { silentLogger, type Logger } from '../log.js'
import {
  DEFAULT_THRESHOLDS,
  evaluateLiveness,
  evaluateReadiness,
  type HealthReport,
  type HealthState,
  type HealthThresholds,
} from './health-model.js'
import type { SyncStatus } from '../datastore/syncer.js'
import { DEFAULT_MAX_SERIES, StatusMetrics, type ReloadFailureStage } from './metrics.js'
import type { BirdSample, IpFamily } from './samples.js'

export interface HealthOptions {
  /** Default 127.0.0.1 (invariant 7 in docs/design.md: loopback unless told otherwise). */
  readonly host?: string
  /** Default 9099; 0 picks a free port (tests). */
  readonly port?: number
  readonly thresholds?: Partial<HealthThresholds>
  /** Bound on per-peer and per-protocol series in /metrics (default 100). */
  readonly maxSeries?: number
  readonly log?: Logger
  /** Clock, in ms since the epoch. */
  readonly now?: () => number
}

export interface HealthServer {
  /** Resolves with the bound address once listening. */
  listen(): Promise<{ host: string; port: number }>
  close(): Promise<void>
}

/** What the agent calls to keep health and metrics current. */
export interface Health {
  readonly server: HealthServer
  readonly registry: Registry
  /** The agent loop is alive; call at least every `heartbeatTimeoutMs`. */
  heartbeat(): void
  setSynced(synced: boolean): void
  /** The syncer's status; also sets `synced`, and counts a lost view as a datastore error. */
  setSyncStatus(status: SyncStatus): void
  /** Revision of the newest snapshot received (the intent). */
  setDatastoreRevision(revision: number): void
  /** BIRD runs the config of this revision's intent (applied, or unchanged by it). */
  setAppliedRevision(family: IpFamily, revision: number): void
  /** One config apply for one family, successful or not, and how long it took. */
  recordApply(result: {
    readonly family: IpFamily
    readonly ok: boolean
    readonly seconds: number
    /** Where a failed apply stopped (default 'error'). */
    readonly failedStage?: ReloadFailureStage
  }): void
  /** A failed apply waiting for its retry (readiness fails meanwhile); undefined once one succeeded. */
  setApplyFailure(failure: HealthState['applyFailure']): void
  /** Latest poll of a daemon; `undefined` = the agent does not run this family (not checked). */
  setBirdState(family: IpFamily, sample: BirdSample | undefined): void
  recordBirdRestart(daemon: BirdDaemonName): void
  liveness(): HealthReport
  readiness(): HealthReport
}


/**
 * /liveness, /readiness (200 or 503 with a JSON report of every check) and /metrics
 * (Prometheus text). State is pushed in by the agent and evaluated per request.
 */
export function createHealth(opts: HealthOptions = {}): Health {
  const now = opts.now ?? Date.now
  const log = opts.log ?? silentLogger
  const thresholds: HealthThresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds }
  const metrics = new StatusMetrics(opts.maxSeries ?? DEFAULT_MAX_SERIES, now)
  const bird = new Map<IpFamily, { sample: BirdSample; at: number }>()
  const started = now()
  let state: Omit<HealthState, 'bird'> = { startedAt: started, lastHeartbeat: started, synced: false, configApplied: false }
  const current = (): HealthState => ({ ...state, bird })

  const liveness = () => evaluateLiveness(current(), now(), thresholds)
  const readiness = () => evaluateReadiness(current(), now(), thresholds)

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' })
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    switch (path) {
      case '/liveness':
      case '/readiness': {
        const r = path === '/liveness' ? liveness() : readiness()
        return send(res, r.ok ? 200 : 503, 'application/json', JSON.stringify(r, null, 2) + '\n')
      }
      case '/metrics':
        return send(res, 200, metrics.registry.contentType, await metrics.registry.metrics())
      default:
        return send(res, 404, 'text/plain', 'not found: try /liveness, /readiness or /metrics\n')
    }
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err: (err as Error).message, url: req.url }, 'health endpoint failed')
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n')
      else res.destroy()
    })
  })
  const host = opts.host ?? DEFAULT_HEALTH_HOST
  const port = opts.port ?? DEFAULT_HEALTH_PORT

  return {
    server: {
      listen: () =>
        new Promise((resolve, reject) => {
          http.once('error', reject)
          http.listen(port, host, () => {
            http.off('error', reject)
            const addr = http.address() as AddressInfo
            log.info({ host: addr.address, port: addr.port }, 'health and metrics listening')
            resolve({ host: addr.address, port: addr.port })
          })
        }),
      close: () =>
        new Promise((resolve, reject) => {
          if (!http.listening) return resolve()
          http.close((err) => (err ? reject(err) : resolve()))
          http.closeAllConnections()
        }),
    },
    registry: metrics.registry,
    heartbeat: () => {
      state = { ...state, lastHeartbeat: now() }
    },
    setSynced: (synced) => {
      state = { ...state, synced }
      metrics.setSynced(synced)
    },
    setSyncStatus: (status) => {
      state = { ...state, synced: status === 'in-sync' }
      metrics.setSyncStatus(status)
    },
    setDatastoreRevision: (revision) => metrics.setDatastoreRevision(revision),
    setAppliedRevision: (family, revision) => metrics.setAppliedRevision(family, revision),
    recordApply: ({ family, ok, seconds, failedStage }) => {
      if (ok) state = { ...state, configApplied: true }
      metrics.recordApply(family, ok, seconds, failedStage)
    },
    setApplyFailure: (failure) => {
      const { applyFailure: _previous, ...rest } = state
      state = failure === undefined ? rest : { ...rest, applyFailure: failure }
      for (const f of [4, 6] as const) metrics.setApplyFailing(f, failure?.families.includes(f) ?? false)
    },
    setBirdState: (family, sample) => {
      if (sample === undefined) bird.delete(family)
      else bird.set(family, { sample, at: now() })
      metrics.setBirdSample(family, sample)
    },
    recordBirdRestart: (daemon) => metrics.recordBirdRestart(daemon),
    liveness,
    readiness,
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}
