/**
 * Restart delays for a crashing daemon: capped exponential, and forgiven once the daemon
 * has stayed up for a while (so one crash a week never waits 30 s). Pure: the caller
 * passes how long the last run lasted.
 */
export interface BackoffPolicy {
  /** First delay after a crash. */
  readonly initialMs: number
  /** Upper bound of the delay. */
  readonly maxMs: number
  /** A run at least this long counts as stable and resets the delay to initialMs. */
  readonly stableMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, stableMs: 60_000 }

/** Consecutive unstable exits so far; 0 before any crash. */
export type CrashStreak = number

export interface BackoffStep {
  readonly delayMs: number
  readonly streak: CrashStreak
}

export function nextBackoff(policy: BackoffPolicy, streak: CrashStreak, ranMs: number): BackoffStep {
  const next = ranMs >= policy.stableMs ? 1 : streak + 1
  // 2 ** 30 is far past any cap; clamping the exponent keeps the number finite.
  const delayMs = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(next - 1, 30))
  return { delayMs, streak: next }
}
