import { isEstablished, type BirdSample, type IpFamily } from './samples.js'

/** Everything liveness and readiness are decided from; fed by the agent, read at request time. */
export interface HealthState {
  /** ms since the epoch, when the agent started (start of the BGP grace period). */
  readonly startedAt: number
  readonly lastHeartbeat: number
  readonly synced: boolean
  /** A config was accepted by BIRD at least once. */
  readonly configApplied: boolean
  /** The last apply failed with an error and waits for its retry (undefined: none pending). */
  readonly applyFailure?: { readonly families: readonly IpFamily[]; readonly message: string; readonly attempts: number }
  /** Latest poll of each daemon the agent runs; a family absent here is not checked. */
  readonly bird: ReadonlyMap<IpFamily, { readonly sample: BirdSample; readonly at: number }>
}

export interface HealthThresholds {
  /** The agent loop is dead when it has not beaten for this long. */
  readonly heartbeatTimeoutMs: number
  /** A BIRD poll older than this counts as no answer (the poller itself is stuck). */
  readonly sampleMaxAgeMs: number
  /** After start, readiness waits for every peer; after it, one Established peer suffices. */
  readonly startupGraceMs: number
}

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  heartbeatTimeoutMs: 60_000,
  sampleMaxAgeMs: 60_000,
  startupGraceMs: 90_000,
}

export interface Check {
  readonly ok: boolean
  readonly detail: string
}

export interface HealthReport {
  readonly ok: boolean
  readonly checks: Readonly<Record<string, Check>>
}

const daemonOf = (family: IpFamily) => (family === 4 ? 'bird' : 'bird6')

export function evaluateLiveness(s: HealthState, now: number, t: HealthThresholds): HealthReport {
  const checks: Record<string, Check> = {}
  const silentFor = now - s.lastHeartbeat
  checks.agent =
    silentFor <= t.heartbeatTimeoutMs
      ? { ok: true, detail: 'agent loop alive' }
      : { ok: false, detail: `no agent heartbeat for ${Math.round(silentFor / 1000)}s` }
  for (const [family, entry] of sortedFamilies(s)) {
    const alive = answering(entry, now, t)
    // BIRD starts only once a first config is in place. Until then (no initial sync yet, or
    // every config so far rejected) a silent control socket is expected, and the agent
    // retries on its own: failing liveness would only make systemd's watchdog restart it in
    // a loop. Readiness still says why the node does not route.
    checks[daemonOf(family)] = alive.ok || s.configApplied ? alive : { ok: true, detail: `not started yet: no config applied (${alive.detail})` }
  }
  return report(checks)
}

export function evaluateReadiness(s: HealthState, now: number, t: HealthThresholds): HealthReport {
  const checks: Record<string, Check> = {
    datastore: s.synced ? { ok: true, detail: 'in sync' } : { ok: false, detail: 'datastore not in sync' },
    config: configCheck(s),
  }
  if (s.bird.size === 0) checks.bird = { ok: false, detail: 'BIRD not polled yet' }
  const inGrace = now - s.startedAt < t.startupGraceMs
  for (const [family, entry] of sortedFamilies(s)) {
    const name = daemonOf(family)
    const alive = answering(entry, now, t)
    checks[name] = alive
    if (!alive.ok || !entry.sample.answering) continue
    checks[`bgp${family === 4 ? 'V4' : 'V6'}`] = bgpReady(entry.sample.peers, inGrace)
  }
  return report(checks)
}

function configCheck(s: HealthState): Check {
  const f = s.applyFailure
  if (f !== undefined) {
    const files = f.families.map((fam) => (fam === 4 ? 'bird.cfg' : 'bird6.cfg')).join(' and ')
    return { ok: false, detail: `applying ${files} failed ${f.attempts} time(s), retrying: ${f.message}` }
  }
  return s.configApplied ? { ok: true, detail: 'applied' } : { ok: false, detail: 'no BIRD config applied yet' }
}

function bgpReady(peers: Extract<BirdSample, { answering: true }>['peers'], inGrace: boolean): Check {
  if (peers.length === 0) return { ok: true, detail: 'no BGP peers configured' }
  const down = peers.filter((p) => !isEstablished(p)).map((p) => p.peerIP)
  const up = peers.length - down.length
  if (down.length === 0) return { ok: true, detail: `all ${up} BGP sessions established` }
  if (inGrace) return { ok: false, detail: `starting: BGP not established with ${down.join(', ')}` }
  return up > 0
    ? { ok: true, detail: `${up} of ${peers.length} BGP sessions established; not with ${down.join(', ')}` }
    : { ok: false, detail: `no BGP session established (${down.join(', ')})` }
}

function answering(entry: { sample: BirdSample; at: number }, now: number, t: HealthThresholds): Check {
  if (now - entry.at > t.sampleMaxAgeMs) return { ok: false, detail: `no poll for ${Math.round((now - entry.at) / 1000)}s` }
  return entry.sample.answering
    ? { ok: true, detail: 'answers its control socket' }
    : { ok: false, detail: entry.sample.reason }
}

function sortedFamilies(s: HealthState) {
  return [...s.bird].sort(([a], [b]) => a - b)
}

function report(checks: Record<string, Check>): HealthReport {
  return { ok: Object.values(checks).every((c) => c.ok), checks }
}
