import { silentLogger, type Logger } from '../log.js'
import type { BirdSource } from './family-reader.js'
import { sampleBird } from './bird-sample.js'
import type { BirdSample, IpFamily } from './samples.js'

export interface BirdPollerOptions {
  /** Control clients of the daemons the agent runs (absent = not run, never sampled). */
  readonly birds: { readonly v4?: BirdSource; readonly v6?: BirdSource }
  /** Default 5 s. */
  readonly intervalMs?: number
  readonly onSample: (family: IpFamily, sample: BirdSample) => void
  readonly log?: Logger
}

/**
 * Asks each daemon for `show protocols all` at a steady rhythm and hands the result on
 * (health, metrics). Any failure, a timeout included, is a sample saying BIRD does not
 * answer: a daemon too busy to reply for the whole timeout is not healthy either.
 */
export class BirdPoller {
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<void> | undefined
  private stopped = false
  private readonly log: Logger

  constructor(private readonly opts: BirdPollerOptions) {
    this.log = opts.log ?? silentLogger
  }

  start(): void {
    if (this.timer === undefined && this.inFlight === undefined && !this.stopped) void this.loop()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.inFlight
  }

  /** One round now (waits for a round already running). */
  async pollNow(): Promise<void> {
    await this.inFlight
    const round = this.pollAll()
    this.inFlight = round
    try {
      await round
    } finally {
      if (this.inFlight === round) this.inFlight = undefined
    }
  }

  private async loop(): Promise<void> {
    await this.pollNow()
    if (!this.stopped) this.timer = setTimeout(() => void this.loop(), this.opts.intervalMs ?? 5_000)
  }

  private async pollAll(): Promise<void> {
    const { v4, v6 } = this.opts.birds
    await Promise.all([
      v4 && this.pollOne(4, v4),
      v6 && this.pollOne(6, v6),
    ])
  }

  private async pollOne(family: IpFamily, bird: BirdSource): Promise<void> {
    const sample = await sampleBird(bird, family)
    if (!sample.answering) this.log.debug({ family, reason: sample.reason }, 'BIRD does not answer')
    if (!this.stopped) this.opts.onSample(family, sample)
  }
}
