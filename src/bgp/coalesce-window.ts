/**
 * How long the reconciler waits after a datastore event before it renders, so that a
 * burst of events costs one render: 0 ms for a lone event (nothing is gained by waiting,
 * and a change should reach BIRD at once), doubling from 1 ms with every event that
 * follows the previous one within `quietMs`, up to `maxMs`. A quiet spell of `quietMs`
 * resets it. Pure: the caller hands in the clock.
 */
export class CoalesceWindow {
  private windowMs = 0
  private lastEventAt = Number.NEGATIVE_INFINITY

  constructor(
    readonly maxMs: number,
    readonly quietMs: number = Math.max(maxMs * 5, 50),
  ) {}

  /** Records an event at `nowMs` and returns the delay to use if it starts a wait. */
  event(nowMs: number): number {
    const burst = nowMs - this.lastEventAt < this.quietMs
    this.lastEventAt = nowMs
    this.windowMs = burst ? Math.min(Math.max(1, this.windowMs * 2), this.maxMs) : 0
    return this.windowMs
  }
}
