import { isRecoverableError, type IOptions } from 'etcd3'

/** The per-endpoint policy etcd3 runs every call through. */
export type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>

export interface BreakerOptions {
  /** Consecutive transport failures (etcd3's "recoverable" errors) that open the breaker. */
  readonly threshold: number
  /** How long an open breaker fails calls at once before letting them try again. */
  readonly coolDownMs: number
}

/**
 * Thrown instead of calling an endpoint that failed `threshold` times in a row just now.
 * It carries cockatiel's marker, so etcd3 moves on to the next endpoint and reports the
 * endpoint's own last error where it has one, as it does for its default breaker.
 */
export class EndpointCoolingDownError extends Error {
  readonly isBrokenCircuitError = true
  constructor(retryInMs: number) {
    super(`the endpoint failed repeatedly just now; calls to it resume in ${Math.ceil(retryInMs / 1000)}s`)
    this.name = 'EndpointCoolingDownError'
  }
}

/** etcd3 passes no signal; one that never aborts serves every call. */
const NEVER_ABORTED = new AbortController().signal

/**
 * A circuit breaker per etcd endpoint that never makes a call wait for another one.
 *
 * etcd3's default breaker (cockatiel's) lets one probe call through once it has cooled
 * down and makes every other call wait for that probe. But etcd3 retries a call whose auth
 * token etcd has forgotten (as it does on every restart) from inside the probe, and that
 * inner call then waits for the probe it is part of: the breaker stays half-open for
 * good and, with password auth, the client never reaches etcd again after an outage long
 * enough to open it. Here, after the cool-down every call may try; one success closes the
 * breaker, one transport failure opens it again.
 */
export class EndpointBreaker {
  private consecutiveFailures = 0
  private openedAt: number | undefined

  constructor(
    private readonly options: BreakerOptions = { threshold: 3, coolDownMs: 5_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** A pass-through policy: for a single endpoint, where there is nowhere else to go. */
  static neverOpen(): EndpointBreaker {
    return new EndpointBreaker({ threshold: Infinity, coolDownMs: 0 })
  }

  /** How long calls are still refused; 0 once the breaker is closed or cooled down. */
  get refusingForMs(): number {
    return this.openedAt === undefined ? 0 : Math.max(0, this.options.coolDownMs - (this.now() - this.openedAt))
  }

  async execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal: AbortSignal = NEVER_ABORTED): Promise<T> {
    const refusing = this.refusingForMs
    if (refusing > 0) throw new EndpointCoolingDownError(refusing)
    let result: T
    try {
      result = await fn({ signal })
    } catch (e) {
      this.failed(e)
      throw e
    }
    this.close()
    return result
  }

  private failed(e: unknown): void {
    // A call refused by this breaker (inside a retried call) says nothing about the endpoint.
    if (e instanceof EndpointCoolingDownError) return
    // Errors etcd answered with (a conflict, a permission) prove the endpoint works.
    if (!(e instanceof Error) || !isRecoverableError(e)) return this.close()
    this.consecutiveFailures++
    if (this.consecutiveFailures >= this.options.threshold) this.openedAt = this.now()
  }

  private close(): void {
    this.consecutiveFailures = 0
    this.openedAt = undefined
  }

  /** etcd3 types its host policy as a full cockatiel policy; it only ever calls `execute`. */
  asHostPolicy(): HostPolicy {
    return this as unknown as HostPolicy
  }
}
