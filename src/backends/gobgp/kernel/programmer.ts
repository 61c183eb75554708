import { execa } from 'execa'
import type { Logger } from '../../../log.js'
import { retryDelayMs, type RetryPolicy } from '../../../retry-delay.js'
import { GobgpCliError, type GobgpCli, type GobgpStream } from '../gobgp-cli.js'
import {
  alreadyGone,
  batchLine,
  parseBatchErrors,
  parseIpRoutes,
  parseRouteGets,
  planKernelChanges,
  withGateways,
  type KernelOp,
  type KernelRoute,
} from './kernel-routes.js'
import { desiredRoutes, ribSettled, type DesiredRoute, type GobgpNeighbor, type GobgpRib } from './rib.js'
import type { KernelProgrammer } from './types.js'

/**
 * gobgpd installs no routes: this puts the best paths of its RIB into the kernel under
 * falconer's routing protocol number, and the node's blocks as blackholes.
 *
 * How it follows the RIB: one `gobgp monitor global rib` stream (both families; gobgp
 * ignores `-a` there) tells that something changed; each burst of changes (coalesced for
 * `coalesceMs`) triggers a full reconcile — read both RIBs, the neighbors and the kernel's
 * main table, plan, apply as one `ip -batch`. Reading everything again instead of applying
 * the streamed paths keeps one code path for start, change and repair, and the stream's
 * per-event path lists (which never mark `best`) need no interpreting. A full resync also
 * runs every `resyncMs` (30 s), which repairs routes someone else removed and covers a
 * stream that missed an event. A failed reconcile (an `ip` line refused, gobgpd not
 * answering) is retried with capped, jittered backoff until it succeeds.
 *
 * Graceful restart: while gobgpd's RIB may be incomplete — after this programmer starts,
 * and whenever gobgpd went away (its stream ended, or it did not answer) — routes missing
 * from the RIB are not removed, until every neighbor is Established and has sent its
 * End-of-RIB (or, without graceful restart, has been up a few seconds), or `settleMaxMs`
 * passed. Routes the RIB has are programmed at once. Stale paths (a peer restarting) are
 * paths like any other and stay programmed.
 */
export interface KernelProgrammerOptions {
  readonly cli: GobgpCli
  readonly log: Logger
  /** Routing protocol number of falconer's routes (`proto`); default 186. */
  readonly protocol?: number
  /** Runs `ip` inside a namespace in tests: e.g. ['ip','netns','exec',NS] prefix; default none. */
  readonly commandPrefix?: readonly string[]
  /** Period of the full resync besides the stream; default 30 s. */
  readonly resyncMs?: number
  /** Longest wait for gobgpd's RIB to settle before unwanted routes go; default 120 s. */
  readonly settleMaxMs?: number
  /** Changes arriving within this window are applied together; default 100 ms. */
  readonly coalesceMs?: number
  readonly retry?: RetryPolicy
}

export const ROUTE_PROTOCOL = 186

const SETTLE_CHECK_MS = 1_000

/** An `ip` call failed; `failures` are the batch lines the kernel refused, with its words. */
export class KernelRouteError extends Error {
  override readonly name = 'KernelRouteError'
  constructor(
    message: string,
    readonly failures: readonly { readonly line: string; readonly message: string }[] = [],
  ) {
    super(message)
  }
}

export function createKernelProgrammer(opts: KernelProgrammerOptions): KernelProgrammer {
  return new Programmer(opts)
}

class Programmer implements KernelProgrammer {
  readonly #cli: GobgpCli
  readonly #log: Logger
  readonly #protocol: number
  readonly #prefix: readonly string[]
  readonly #resyncMs: number
  readonly #settleMaxMs: number
  readonly #coalesceMs: number
  readonly #retry: RetryPolicy

  #localBlocks: readonly string[] = []
  #unprogrammed: readonly string[] = []
  #running = false
  #settled = false
  #unsettledSince = Date.now()
  #inFlight: Promise<void> | undefined
  #again = false
  #failures = 0
  #coalesceTimer: NodeJS.Timeout | undefined
  #retryTimer: NodeJS.Timeout | undefined
  #resyncTimer: NodeJS.Timeout | undefined
  #monitorTimer: NodeJS.Timeout | undefined
  #settleTimer: NodeJS.Timeout | undefined
  #monitor: GobgpStream | undefined
  #monitorFailures = 0
  #conflicts = new Set<string>()
  #problems = new Set<string>()

  constructor(opts: KernelProgrammerOptions) {
    this.#cli = opts.cli
    this.#log = opts.log
    this.#protocol = opts.protocol ?? ROUTE_PROTOCOL
    this.#prefix = opts.commandPrefix ?? []
    this.#resyncMs = opts.resyncMs ?? 30_000
    this.#settleMaxMs = opts.settleMaxMs ?? 120_000
    this.#coalesceMs = opts.coalesceMs ?? 100
    this.#retry = opts.retry ?? { initialMs: 500, maxMs: 30_000 }
  }

  setLocalBlocks(prefixes: readonly string[]): void {
    this.#localBlocks = [...prefixes]
    if (this.#running) this.#soon()
  }

  setUnprogrammedRanges(cidrs: readonly string[]): void {
    this.#unprogrammed = [...cidrs]
    if (this.#running) this.#soon()
  }

  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    this.#settled = false
    this.#unsettledSince = Date.now()
    this.#startMonitor()
    this.#resyncTimer = setInterval(() => this.#soon(), this.#resyncMs)
    this.#resyncTimer.unref()
    await this.#reconcile()
  }

  async stop(opts: { keepRoutes: boolean }): Promise<void> {
    this.#running = false
    for (const t of [this.#coalesceTimer, this.#retryTimer, this.#monitorTimer, this.#settleTimer]) clearTimeout(t)
    clearInterval(this.#resyncTimer)
    this.#monitor?.stop()
    this.#monitor = undefined
    await this.#inFlight
    if (opts.keepRoutes) return
    // Only falconer's own routes, every one of them; a refused line is tried again.
    for (let attempt = 1; ; attempt++) {
      try {
        const ours = (await this.#readKernel()).filter((r) => r.protocol === this.#protocol)
        await this.#apply(ours.map((route) => ({ op: 'del', route })))
        return
      } catch (err) {
        if (attempt >= 3) throw err
        await new Promise((r) => setTimeout(r, retryDelayMs(this.#retry, attempt)))
      }
    }
  }

  // ─── following gobgpd ──────────────────────────────────────────────────────

  #startMonitor(): void {
    if (!this.#running) return
    const stream = this.#cli.stream(['monitor', 'global', 'rib'], () => {
      this.#monitorFailures = 0
      this.#soon()
    })
    this.#monitor = stream
    void stream.exited.then(({ code, stderr }) => {
      if (!this.#running || this.#monitor !== stream) return
      // The stream ends when gobgpd goes: a restarted gobgpd starts with an empty RIB.
      this.#unsettle()
      this.#monitorFailures++
      const delay = retryDelayMs(this.#retry, this.#monitorFailures)
      this.#log.warn({ code, stderr, retryInMs: delay }, 'gobgp RIB monitor ended; reconnecting')
      this.#monitorTimer = setTimeout(() => {
        this.#startMonitor()
        this.#soon()
      }, delay)
    })
  }

  #unsettle(): void {
    if (this.#settled) this.#log.info('gobgpd RIB may be incomplete: falconer routes missing from it are kept until it settles')
    if (this.#settled) this.#unsettledSince = Date.now()
    this.#settled = false
  }

  /** A reconcile after the coalescing window (one at a time; a request during one queues one more). */
  #soon(): void {
    if (!this.#running || this.#coalesceTimer !== undefined) return
    this.#coalesceTimer = setTimeout(() => {
      this.#coalesceTimer = undefined
      void this.#reconcile()
    }, this.#coalesceMs)
  }

  async #reconcile(): Promise<void> {
    if (this.#inFlight !== undefined) {
      this.#again = true
      return this.#inFlight
    }
    this.#inFlight = (async () => {
      do {
        this.#again = false
        clearTimeout(this.#retryTimer)
        try {
          await this.#reconcileOnce()
          this.#failures = 0
        } catch (err) {
          this.#failures++
          if (err instanceof GobgpCliError && err.unavailable) this.#unsettle()
          if (this.#running) {
            const delay = retryDelayMs(this.#retry, this.#failures)
            this.#log.warn({ err: describe(err), retryInMs: delay }, 'kernel route programming failed; retrying')
            this.#retryTimer = setTimeout(() => void this.#reconcile(), delay)
          }
        }
      } while (this.#again && this.#running)
    })().finally(() => {
      this.#inFlight = undefined
    })
    return this.#inFlight
  }

  async #reconcileOnce(): Promise<void> {
    // The neighbors first, then the RIBs: when the neighbors say every End-of-RIB is in, the
    // RIBs read after hold every route sent before it. Read together, a RIB read just before
    // a peer's last updates could pass for settled and lose those routes for a moment.
    const neighbors = await this.#cli.json<GobgpNeighbor[] | null>(['neighbor'])
    const [rib4, rib6] = await Promise.all([
      this.#cli.json<GobgpRib>(['global', 'rib', '-a', 'ipv4']),
      this.#cli.json<GobgpRib>(['global', 'rib', '-a', 'ipv6']),
    ])
    if (!this.#running) return
    const now = Date.now()
    if (!this.#settled && (ribSettled(neighbors ?? [], now / 1000) || now - this.#unsettledSince >= this.#settleMaxMs)) {
      this.#settled = true
      this.#log.info({ afterMs: now - this.#unsettledSince }, 'gobgpd RIB settled: falconer routes missing from it are removed from now on')
    }
    const wanted = desiredRoutes({ ribs: [rib4, rib6], neighbors: neighbors ?? [], localBlocks: this.#localBlocks, unprogrammed: this.#unprogrammed })
    // Each problem is logged once while it lasts, not on every reconcile.
    for (const p of wanted.problems) if (!this.#problems.has(p)) this.#log.warn(p)
    this.#problems = new Set(wanted.problems)
    const desired = withGateways(wanted.routes, await this.#gateways(wanted.routes))
    const plan = planKernelChanges(desired, await this.#readKernel(), { protocol: this.#protocol, keepUnwanted: !this.#settled })
    this.#reportConflicts(plan.conflicts)
    await this.#apply(plan.ops)
    // Settling shows in the neighbors, not in the RIB stream: look again soon.
    if (!this.#settled && this.#running) {
      clearTimeout(this.#settleTimer)
      this.#settleTimer = setTimeout(() => this.#soon(), SETTLE_CHECK_MS)
    }
  }

  #reportConflicts(conflicts: readonly { prefix: string; protocol: number }[]): void {
    const now = new Set(conflicts.map((c) => c.prefix))
    for (const c of conflicts) {
      if (!this.#conflicts.has(c.prefix)) {
        this.#log.warn({ prefix: c.prefix, protocol: c.protocol }, 'a route of another protocol holds this prefix; falconer leaves it and programs nothing there')
      }
    }
    this.#conflicts = now
  }

  // ─── the kernel ──────────────────────────────────────────────────────────

  async #readKernel(): Promise<KernelRoute[]> {
    const [v4, v6] = await Promise.all([
      this.#ip(['-N', '-j', '-4', 'route', 'show', 'table', 'main']),
      this.#ip(['-N', '-j', '-6', 'route', 'show', 'table', 'main']),
    ])
    return [...parseIpRoutes(v4.stdout, 4), ...parseIpRoutes(v6.stdout, 6)]
  }

  /** Every distinct next hop → the gateway the kernel reaches it through (`ip route get`). */
  async #gateways(routes: ReadonlyMap<string, DesiredRoute>): Promise<Map<string, string>> {
    const hops = new Set<string>()
    for (const r of routes.values()) if (r.kind === 'unicast') for (const h of r.nexthops) hops.add(h)
    if (hops.size === 0) return new Map()
    const r = await this.#ip(['-j', '-force', '-batch', '-'], [...hops].map((h) => `route get ${h}`).join('\n') + '\n')
    // An unreachable next hop has no answer: it is tried as it is, and the kernel says why not.
    return parseRouteGets(r.stdout)
  }

  async #apply(ops: readonly KernelOp[]): Promise<void> {
    if (ops.length === 0) return
    const lines = ops.map((op) => batchLine(op, this.#protocol))
    const r = await this.#ip(['-force', '-batch', '-'], lines.join('\n') + '\n')
    const errors = parseBatchErrors(r.stderr)
    const failures = [...errors]
      .filter(([n, message]) => !(ops[n - 1]?.op === 'del' && alreadyGone(message)))
      .map(([n, message]) => ({ line: lines[n - 1] ?? `line ${n}`, message }))
    const applied = lines.length - errors.size
    if (applied > 0) this.#log.info({ changes: applied, lines: lines.length <= 20 ? lines : undefined }, 'kernel routes programmed')
    if (failures.length > 0) {
      throw new KernelRouteError(`ip refused ${failures.length} of ${lines.length} route changes: ${failures.slice(0, 3).map((f) => `${f.line}: ${f.message}`).join('; ')}`, failures)
    }
    if (r.exitCode !== 0 && errors.size === 0) throw new KernelRouteError(`ip -batch failed: ${r.stderr.trim().slice(0, 300)}`)
  }

  async #ip(args: readonly string[], input?: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const argv = [...this.#prefix, 'ip', ...args]
    const r = await execa(argv[0] as string, argv.slice(1), {
      reject: false,
      timeout: 30_000,
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    })
    if (r.exitCode === undefined) throw new KernelRouteError(`cannot run ${argv.join(' ')}: ${r.shortMessage}`)
    // A batch reports per line (parsed by the caller); anything else must succeed.
    if (r.exitCode !== 0 && !args.includes('-batch')) throw new KernelRouteError(`${argv.join(' ')} failed: ${r.stderr.trim().slice(0, 300)}`)
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
