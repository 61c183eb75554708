/**
 * Delays between retries of a failed effect (an apply, a datastore connect): capped
 * exponential, with jitter so that thousands of agents that failed together (an etcd
 * restart, a full disk after a log storm) do not retry in lock-step. The first half of
 * each delay is fixed and the second half random, so a retry never comes sooner than half
 * the nominal delay.
 */
export interface RetryPolicy {
  /** Delay after the first failure. */
  readonly initialMs: number
  /** Upper bound of the nominal delay. */
  readonly maxMs: number
}

/** `failures` consecutive failures so far (>= 1); `random` in [0, 1). */
export function retryDelayMs(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  // 2 ** 30 is far past any cap; clamping the exponent keeps the number finite.
  const nominal = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30))
  return Math.round(nominal / 2 + (nominal / 2) * random())
}
