import { BirdControl } from '../../../src/bird/control/index.js'
import type { BirdTimestamp } from '../../../src/bird/replies/index.js'
import { protocolDetails, sameSince } from './apply-lab.js'

export interface Violation {
  readonly at: string
  readonly side: 'A' | 'B'
  readonly what: string
}

/**
 * Watches one BGP session from both ends while the test changes things: every sample must
 * show BGP state Established with the `since` time the session had when watching began
 * (a restart, even a fast one, moves `since` to the present; BIRD's own ±1 s display
 * jitter is tolerated, see BIRD_TIME_JITTER_MS). The protocol state may read `feed` while
 * BIRD re-exports routes after a filter change; that is not a restart.
 */
export class SessionMonitor {
  readonly violations: Violation[] = []
  samples = 0
  feeding = 0
  failedPolls = 0
  private stopped = false
  private readonly done: Promise<void>
  private readonly a: BirdControl
  private readonly b: BirdControl

  constructor(
    sockets: { readonly a: string; readonly b: string },
    private readonly names: { readonly a: string; readonly b: string },
    private readonly since: { readonly a: BirdTimestamp; readonly b: BirdTimestamp },
    private readonly intervalMs = 50,
  ) {
    this.a = new BirdControl({ socketPath: sockets.a, timeoutMs: 10_000 })
    this.b = new BirdControl({ socketPath: sockets.b, timeoutMs: 10_000 })
    this.done = this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.done
    await Promise.all([this.a.close(), this.b.close()])
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await Promise.all([this.sample('A', this.a, this.names.a, this.since.a), this.sample('B', this.b, this.names.b, this.since.b)])
      this.samples++
      await new Promise((r) => setTimeout(r, this.intervalMs))
    }
  }

  private async sample(side: 'A' | 'B', control: BirdControl, name: string, since: BirdTimestamp): Promise<void> {
    let p
    try {
      p = await protocolDetails(control, name)
    } catch {
      // BIRD is single-threaded and may be busy reconfiguring; a slow answer is no restart.
      this.failedPolls++
      return
    }
    const at = new Date().toISOString()
    if (p.state === 'feed') this.feeding++
    if (p.bgpDetails?.state !== 'Established') this.violations.push({ at, side, what: `BGP state ${p.bgpDetails?.state ?? p.info}` })
    if (!sameSince(p.since, since)) this.violations.push({ at, side, what: `since moved from ${since.raw} to ${p.since.raw}` })
  }
}
