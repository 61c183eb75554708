import type { Snapshot } from '../api/snapshot.js'
import type { Logger } from '../log.js'
import { retryDelayMs, type RetryPolicy } from '../retry-delay.js'
import type { ApplyOutcome } from './apply/config-applier.js'
import { CoalesceWindow } from './coalesce-window.js'
import type { Problem } from './intent/types.js'
import { renderConfigs, type RenderedConfigs, type RenderInput } from './render-configs.js'
import type { Templates } from './render/index.js'
import { neededSecretRefs, readSecrets } from './secrets.js'

export interface ReconcileResult {
  readonly revision: number
  /** The drain this config carries (the marker's id), undefined when not drained. */
  readonly drainId: string | undefined
  readonly v4: ApplyOutcome
  readonly v6: ApplyOutcome
  readonly problems: readonly Problem[]
}

/** The part of ConfigApplier the reconciler drives. */
export interface Applier {
  apply(text: string, opts: { holdsSecret: boolean }): Promise<ApplyOutcome>
}

export interface ReconcilerOptions {
  readonly nodeName: string
  readonly routerId?: string
  readonly secretsDir: string
  /** Read at every run, so a template reload takes effect on the next one. */
  readonly templates?: () => Templates
  /** The backend's render (it holds its own templates); default: BIRD 1.6's files with `templates`. */
  readonly render?: (input: Omit<RenderInput, 'templates'>) => RenderedConfigs
  /** One per family; the same applier for both when one file carries both (BIRD 2): applied once. */
  readonly appliers: { readonly v4: Applier; readonly v6: Applier }
  readonly log: Logger
  /**
   * The longest wait after an event before rendering. A lone event is rendered at once;
   * the wait grows towards this only while events keep arriving (CoalesceWindow).
   */
  readonly coalesceMs?: number
  readonly onResult?: (r: ReconcileResult) => void
  /** An apply failed with an error (not a rejection); it is retried after `failure.retryInMs`. */
  readonly onError?: (err: unknown, failure: ApplyFailure) => void
  /** Backoff between retries of a failed apply (default 1 s doubling to 60 s, jittered). */
  readonly retry?: RetryPolicy
  /** Jitter source in [0, 1) (tests make it deterministic). */
  readonly random?: () => number
  /**
   * While a referenced secret is missing or refused, it is read again this often (default
   * 5 s) besides the secrets directory's watch: a watch can miss a file created inside a
   * directory made a moment before, and a held-down session must not wait for another event.
   */
  readonly secretRecheckMs?: number
  /**
   * Read at every run: the id of the node's drain when it is drained for maintenance,
   * undefined when it is not. Default: never drained.
   */
  readonly readDrain?: () => Promise<string | undefined>
}

export const DEFAULT_APPLY_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 60_000 }

type FamilyNumber = 4 | 6

/**
 * An apply that threw (an I/O error, a full disk, a `configure` timeout) rather than being
 * rejected by BIRD. `failed` names the families whose config is not in place; `applied`
 * holds the outcome of a family that did go through in the same run.
 */
export class ApplyError extends Error {
  override readonly name = 'ApplyError'
  constructor(
    readonly failed: readonly FamilyNumber[],
    readonly causes: readonly unknown[],
    readonly applied: { readonly v4?: ApplyOutcome; readonly v6?: ApplyOutcome },
  ) {
    super(
      failed.length === 2 && causes.length === 1
        ? `rendering or applying the BIRD configs failed: ${messageOf(causes[0])}`
        : failed.map((f, i) => `applying the IPv${f} config failed: ${messageOf(causes[i])}`).join('; '),
    )
  }
}

/** A failed apply waiting for its retry: what readiness and metrics show meanwhile. */
export interface ApplyFailure {
  readonly families: readonly FamilyNumber[]
  readonly message: string
  /** Consecutive failed attempts. */
  readonly attempts: number
  /** ms since the epoch of the first failure of this streak. */
  readonly since: number
  readonly retryInMs: number
}

/**
 * Turns a stream of snapshots into applies, one at a time: while an apply runs, newer
 * snapshots only replace the pending one, so a burst of N events costs at most two
 * renders. An apply that throws is retried with capped, jittered backoff until it
 * succeeds (a quiet cluster sends no event that would retry it); a config BIRD rejects is
 * not retried, since the same input gives the same text — a new snapshot, template or
 * secret triggers the next try. It never renders before it is given a snapshot, and the syncer gives none
 * before the initial list completed (invariant 1 in docs/design.md); during an etcd outage it is simply
 * given nothing, so BIRD keeps its last good config.
 */
export class Reconciler {
  private latest: Snapshot | undefined
  private dirty = false
  private running: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private lastProblems = ''
  private retryTimer: NodeJS.Timeout | undefined
  private secretTimer: NodeJS.Timeout | undefined
  private failure: ApplyFailure | undefined
  private readonly window: CoalesceWindow

  constructor(private readonly opts: ReconcilerOptions) {
    this.window = new CoalesceWindow(opts.coalesceMs ?? 10)
  }

  submit(snapshot: Snapshot): void {
    this.latest = snapshot
    this.kick()
  }

  /** Re-render from the latest snapshot (templates or secrets changed). */
  refresh(): void {
    if (this.latest) this.kick()
  }

  /** The failed apply waiting for its retry, if any. */
  pendingFailure(): ApplyFailure | undefined {
    return this.failure
  }

  /** Resolves when nothing is pending or running (a retry scheduled for later does not count). */
  async idle(): Promise<void> {
    while (this.timer || this.running) {
      if (this.running) await this.running
      else await new Promise((r) => setTimeout(r, this.opts.coalesceMs ?? 10))
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    if (this.retryTimer) clearTimeout(this.retryTimer)
    if (this.secretTimer) clearTimeout(this.secretTimer)
    this.timer = undefined
    this.retryTimer = undefined
    this.secretTimer = undefined
    await this.running
  }

  private kick(): void {
    if (this.stopped) return
    this.dirty = true
    // a new input is a new attempt now; the backoff streak continues until one succeeds
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    const delayMs = this.window.event(performance.now())
    if (this.running || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = this.loop().finally(() => {
        this.running = undefined
        if (this.dirty) this.kick()
      })
    }, delayMs)
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.stopped && this.latest) {
      this.dirty = false
      try {
        const result = await this.once(this.latest)
        if (this.failure) this.opts.log.info({ attempts: this.failure.attempts + 1 }, 'BIRD configuration applied after earlier failures')
        this.failure = undefined
        if (this.retryTimer) clearTimeout(this.retryTimer)
        this.retryTimer = undefined
        this.opts.onResult?.(result)
      } catch (err) {
        this.failed(err)
      }
    }
  }

  private failed(err: unknown): void {
    const attempts = (this.failure?.attempts ?? 0) + 1
    const retryInMs = retryDelayMs(this.opts.retry ?? DEFAULT_APPLY_RETRY, attempts, this.opts.random)
    this.failure = {
      families: err instanceof ApplyError ? err.failed : [4, 6],
      message: messageOf(err),
      attempts,
      since: this.failure?.since ?? Date.now(),
      retryInMs,
    }
    this.opts.log.error({ err, attempts, retryInMs }, 'applying the BIRD configuration failed; retrying')
    this.opts.onError?.(err, this.failure)
    if (this.stopped) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.kick()
    }, retryInMs)
  }

  private async once(snapshot: Snapshot): Promise<ReconcileResult> {
    const { log } = this.opts
    const refs = neededSecretRefs(snapshot, this.opts.nodeName)
    const { secrets, problems: secretProblems } = await readSecrets(this.opts.secretsDir, refs, log)
    const drainId = await this.opts.readDrain?.()
    const rendered = this.render({
      snapshot,
      nodeName: this.opts.nodeName,
      ...(this.opts.routerId !== undefined && { routerId: this.opts.routerId }),
      secrets,
      ...(drainId !== undefined && { drained: true }),
    })
    // values the syncer could not validate are reported alongside the intent's own findings
    const problems = [...snapshot.invalid.values(), ...secretProblems, ...rendered.problems]
    this.reportProblems(problems)
    if (secretProblems.length > 0 && !this.stopped && !this.secretTimer) {
      this.secretTimer = setTimeout(() => {
        this.secretTimer = undefined
        this.refresh() // unchanged output writes and reloads nothing
      }, this.opts.secretRecheckMs ?? 5_000)
    }
    const { v4: a4, v6: a6 } = this.opts.appliers
    // One file for both families (BIRD 2): applied once, its outcome stands for both.
    const [v4, v6] =
      a4 === a6
        ? await a4.apply(rendered.v4.text, { holdsSecret: rendered.v4.holdsSecret }).then(
            (o) => [{ status: 'fulfilled', value: o }, { status: 'fulfilled', value: o }] as const,
            (reason: unknown) => [{ status: 'rejected', reason }, { status: 'rejected', reason }] as const,
          )
        : await Promise.allSettled([
            a4.apply(rendered.v4.text, { holdsSecret: rendered.v4.holdsSecret }),
            a6.apply(rendered.v6.text, { holdsSecret: rendered.v6.holdsSecret }),
          ])
    if (v4.status === 'fulfilled' && v6.status === 'fulfilled') {
      return { revision: snapshot.revision, drainId, v4: v4.value, v6: v6.value, problems }
    }
    const failed: FamilyNumber[] = []
    const causes: unknown[] = []
    for (const [family, s] of [[4, v4], [6, v6]] as const) {
      if (s.status === 'rejected') {
        failed.push(family)
        causes.push(s.reason)
      }
    }
    if (a4 === a6) causes.splice(1) // one failure, reported once
    throw new ApplyError(failed, causes, {
      ...(v4.status === 'fulfilled' && { v4: v4.value }),
      ...(v6.status === 'fulfilled' && { v6: v6.value }),
    })
  }

  private render(input: Omit<RenderInput, 'templates'>): RenderedConfigs {
    if (this.opts.render !== undefined) return this.opts.render(input)
    if (this.opts.templates === undefined) throw new TypeError('Reconciler: give it a render function or templates')
    return renderConfigs({ ...input, templates: this.opts.templates() })
  }

  /** Invariant 5 in docs/design.md: a bad resource is reported (key, field, reason) — once, not per event. */
  private reportProblems(problems: readonly Problem[]): void {
    const text = JSON.stringify(problems)
    if (text === this.lastProblems) return
    this.lastProblems = text
    for (const p of problems) this.opts.log.warn({ key: p.key, field: p.field, reason: p.reason }, 'skipped invalid BGP resource')
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
