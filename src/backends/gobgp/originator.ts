import type { Logger } from '../../log.js'
import { retryDelayMs, type RetryPolicy } from '../../retry-delay.js'
import { GobgpCliError, type GobgpCli } from './gobgp-cli.js'

export interface Originated {
  readonly v4: readonly string[]
  readonly v6: readonly string[]
}

/** One path of `gobgp -j global rib -a FAMILY`: `{ "PREFIX": [ { nlri, attrs, … } ] }`. */
interface RibPath {
  readonly nlri?: { readonly prefix?: string }
  readonly 'neighbor-ip'?: string
  readonly attrs?: readonly { readonly type: number; readonly nexthop?: string }[]
}

const NEXT_HOP = 3
const MP_REACH = 14

/** A path this node originated: added through the API, so its next hop is 0.0.0.0 / ::. */
function isLocal(path: RibPath): boolean {
  const hop = path.attrs?.find((a) => a.type === NEXT_HOP || a.type === MP_REACH)?.nexthop
  return hop === '0.0.0.0' || hop === '::'
}

/** The prefixes gobgpd's global RIB holds as locally originated, for one family. */
export async function localRoutes(cli: GobgpCli, family: 4 | 6): Promise<string[]> {
  const rib = (await cli.json<Record<string, readonly RibPath[]> | null>(['global', 'rib', '-a', family === 4 ? 'ipv4' : 'ipv6'])) ?? {}
  return Object.entries(rib)
    .filter(([, paths]) => paths.some(isLocal))
    .map(([prefix]) => prefix)
    .sort()
}

const RETRY: RetryPolicy = { initialMs: 500, maxMs: 30_000 }

/**
 * Keeps gobgpd's locally originated routes equal to the intent's: what is missing is added
 * (`gobgp global rib add`), what is no longer wanted (a released block) withdrawn
 * (`… del`). Reconciled against the RIB itself, not against what was sent before, so a
 * gobgpd that restarted with an empty RIB is filled again on the next run. A failed run
 * (gobgpd not up yet) is retried with backoff until one succeeds.
 */
export class Originator {
  private wanted: Originated | undefined
  private running: Promise<void> | undefined
  private again = false
  private attempts = 0
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private synced: ((ok: true) => void)[] = []
  private readonly readvertising = new Set<4 | 6>()

  constructor(
    private readonly cli: GobgpCli,
    private readonly log: Logger,
  ) {}

  /** The routes to originate from now on. */
  set(wanted: Originated): void {
    this.wanted = wanted
    this.run()
  }

  /**
   * Withdraw and add every originated route of these families once more: gobgpd (3.x) does
   * not withdraw a route it sent when a new export policy rejects it (its outbound soft
   * reset sends only what is accepted), but a withdrawal followed by an add is judged by
   * the policy as it is now. Only the families whose export rules changed pay for it.
   */
  readvertise(families: readonly (4 | 6)[]): void {
    for (const f of families) this.readvertising.add(f)
    this.run()
  }

  /** Reconcile again now (gobgpd restarted and answers): a fresh attempt, the backoff starts over. */
  kick(): void {
    this.attempts = 0
    this.run()
  }

  private run(): void {
    if (this.stopped || this.wanted === undefined) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.loop().finally(() => {
      this.running = undefined
    })
  }

  /** Resolves once a reconcile has completed with nothing pending (tests, start-up order). */
  async settled(): Promise<void> {
    if (!this.running && !this.timer && !this.again && this.attempts === 0) return
    await new Promise<true>((resolve) => this.synced.push(resolve))
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  private async loop(): Promise<void> {
    do {
      this.again = false
      try {
        await this.reconcile(this.wanted!)
        this.attempts = 0
      } catch (err) {
        this.attempts++
        const delay = retryDelayMs(RETRY, this.attempts)
        const quiet = err instanceof GobgpCliError && err.unavailable
        // A newer request (gobgpd answers now, new routes) is tried at once; else after the delay.
        if (this.again) continue
        this.log[quiet ? 'info' : 'warn']({ err: (err as Error).message, retryInMs: delay }, 'originating this node\'s routes in gobgpd failed; retrying')
        if (!this.stopped) this.timer = setTimeout(() => this.run(), delay)
        return
      }
    } while (this.again && !this.stopped)
    for (const resolve of this.synced.splice(0)) resolve(true)
  }

  private async reconcile(wanted: Originated): Promise<void> {
    const readvertise = new Set(this.readvertising)
    for (const family of [4, 6] as const) {
      const want = new Set(family === 4 ? wanted.v4 : wanted.v6)
      const have = new Set(await localRoutes(this.cli, family))
      const afi = family === 4 ? 'ipv4' : 'ipv6'
      for (const prefix of [...want].filter((p) => !have.has(p))) {
        await this.cli.run(['global', 'rib', 'add', '-a', afi, prefix])
        this.log.info({ prefix }, 'originated in gobgpd')
      }
      for (const prefix of [...have].filter((p) => !want.has(p))) {
        await this.cli.run(['global', 'rib', 'del', '-a', afi, prefix])
        this.log.info({ prefix }, 'withdrawn from gobgpd')
      }
      if (!readvertise.has(family)) continue
      for (const prefix of [...want].filter((p) => have.has(p))) {
        await this.cli.run(['global', 'rib', 'del', '-a', afi, prefix])
        await this.cli.run(['global', 'rib', 'add', '-a', afi, prefix])
      }
      this.readvertising.delete(family)
      this.log.info({ family }, 'export restrictions changed: this node\'s routes advertised again under the new policy')
    }
  }
}
