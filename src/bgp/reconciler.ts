import type { Snapshot } from '../api/snapshot.js'
import type { Logger } from '../log.js'
import type { ApplyOutcome } from './apply/config-applier.js'
import type { Problem } from './intent/types.js'
import { renderConfigs, type RenderedConfigs, type RenderInput } from './render-configs.js'
import type { Templates } from './render/index.js'
import { neededSecretRefs, readSecrets } from './secrets.js'

export interface ReconcileResult {
  readonly revision: number
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
  /** Bursts of datastore events inside this window coalesce into one apply. */
  readonly coalesceMs?: number
  readonly onResult?: (r: ReconcileResult) => void
  readonly onError?: (err: unknown) => void
}

/**
 * Turns a stream of snapshots into applies, one at a time: while an apply runs, newer
 * snapshots only replace the pending one, so a burst of N events costs at most two
 * renders. It never renders before it is given a snapshot, and the syncer gives none
 * before the initial list completed (invariant 1); during an etcd outage it is simply
 * given nothing, so BIRD keeps its last good config.
 */
export class Reconciler {
  private latest: Snapshot | undefined
  private dirty = false
  private running: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private lastProblems = ''

  constructor(private readonly opts: ReconcilerOptions) {}

  submit(snapshot: Snapshot): void {
    this.latest = snapshot
    this.kick()
  }

  /** Re-render from the latest snapshot (templates or secrets changed). */
  refresh(): void {
    if (this.latest) this.kick()
  }

  /** Resolves when nothing is pending or running. */
  async idle(): Promise<void> {
    while (this.timer || this.running) {
      if (this.running) await this.running
      else await new Promise((r) => setTimeout(r, this.opts.coalesceMs ?? 10))
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  private kick(): void {
    if (this.stopped) return
    this.dirty = true
    if (this.running || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = this.loop().finally(() => {
        this.running = undefined
        if (this.dirty) this.kick()
      })
    }, this.opts.coalesceMs ?? 10)
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.stopped && this.latest) {
      this.dirty = false
      try {
        this.opts.onResult?.(await this.once(this.latest))
      } catch (err) {
        this.opts.log.error({ err }, 'applying the BIRD configuration failed')
        this.opts.onError?.(err)
      }
    }
  }

  private async once(snapshot: Snapshot): Promise<ReconcileResult> {
    const { log } = this.opts
    const refs = neededSecretRefs(snapshot, this.opts.nodeName)
    const { secrets, problems: secretProblems } = await readSecrets(this.opts.secretsDir, refs, log)
    const rendered = this.render({
      snapshot,
      nodeName: this.opts.nodeName,
      ...(this.opts.routerId !== undefined && { routerId: this.opts.routerId }),
      secrets,
    })
    // values the syncer could not validate are reported alongside the intent's own findings
    const problems = [...snapshot.invalid.values(), ...secretProblems, ...rendered.problems]
    this.reportProblems(problems)
    const { v4: a4, v6: a6 } = this.opts.appliers
    const [v4, v6] =
      a4 === a6
        ? await a4.apply(rendered.v4.text, { holdsSecret: rendered.v4.holdsSecret }).then((o) => [o, o] as const)
        : await Promise.all([
            a4.apply(rendered.v4.text, { holdsSecret: rendered.v4.holdsSecret }),
            a6.apply(rendered.v6.text, { holdsSecret: rendered.v6.holdsSecret }),
          ])
    return { revision: snapshot.revision, v4, v6, problems }
  }

  private render(input: Omit<RenderInput, 'templates'>): RenderedConfigs {
    if (this.opts.render !== undefined) return this.opts.render(input)
    if (this.opts.templates === undefined) throw new TypeError('Reconciler: give it a render function or templates')
    return renderConfigs({ ...input, templates: this.opts.templates() })
  }

  /** Invariant 5: a bad resource is reported (key, field, reason) — once, not per event. */
  private reportProblems(problems: readonly Problem[]): void {
    const text = JSON.stringify(problems)
    if (text === this.lastProblems) return
    this.lastProblems = text
    for (const p of problems) this.opts.log.warn({ key: p.key, field: p.field, reason: p.reason }, 'skipped invalid BGP resource')
  }
}
