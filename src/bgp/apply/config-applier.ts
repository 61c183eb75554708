import type { Logger } from '../../log.js'
import { commitFile, discardFile, readIfExists, stageFile } from '../../fs/atomic-file.js'
import { ConfigRejectedError } from './bird-error.js'
import type { Family } from './config-check.js'

/** What BIRD said to `configure "FILE"`. */
export type ReloadResult =
  | 'reconfigured' // 0003
  | 'in-progress' // 0004: BIRD accepted it and finishes in the background
  | 'queued' // 0005: BIRD accepted it and applies it once the reconfiguration in progress ends
  | 'not-running' // no socket: BIRD reads the (valid) file when it starts

export interface ApplierDeps {
  /** Throws ConfigRejectedError when BIRD's parser refuses the file. */
  check(file: string, family: Family, displayName: string): Promise<void>
  /** Throws ConfigRejectedError on 8002; other errors (timeout, I/O) propagate. */
  reload(file: string): Promise<ReloadResult>
}

export type ApplyOutcome =
  | { readonly result: 'unchanged' }
  | { readonly result: 'applied'; readonly wrote: boolean; readonly reload: ReloadResult; readonly seconds: number }
  | { readonly result: 'rejected'; readonly error: ConfigRejectedError; readonly seconds: number }

/**
 * Applies rendered text to one BIRD daemon's config file, safely:
 * unchanged → nothing (invariant 4 in docs/design.md); else stage → `bird -p` → rename → configure
 * (invariants 2, 3 in docs/design.md). A rejected config never replaces the last good file.
 *
 * `loaded` remembers the text BIRD is known to run, so a file that is already on disk
 * but was never confirmed (agent restart, a reload that timed out) is reloaded once
 * without being rewritten.
 */
export class ConfigApplier {
  private loaded: string | undefined

  constructor(
    readonly path: string,
    readonly family: Family,
    private readonly deps: ApplierDeps,
    private readonly log: Logger,
  ) {}

  async apply(text: string, opts: { holdsSecret: boolean }): Promise<ApplyOutcome> {
    const started = process.hrtime.bigint()
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9
    const onDisk = await readIfExists(this.path)
    if (onDisk === text && this.loaded === text) return { result: 'unchanged' }

    const wrote = onDisk !== text
    if (wrote) {
      // invariant 7 in docs/design.md: a file holding a BGP password is readable by root only
      const staged = await stageFile(this.path, text, opts.holdsSecret ? 0o600 : 0o644)
      try {
        await this.deps.check(staged.tmpPath, this.family, this.path)
      } catch (err) {
        await discardFile(staged)
        if (err instanceof ConfigRejectedError) {
          this.log.error({ file: this.path, err: err.message }, 'rendered config rejected by BIRD; keeping the last good config')
          return { result: 'rejected', error: err, seconds: seconds() }
        }
        throw err
      }
      try {
        await commitFile(staged)
      } catch (err) {
        await discardFile(staged)
        throw err
      }
    }

    let reload: ReloadResult
    try {
      reload = await this.deps.reload(this.path)
    } catch (err) {
      if (err instanceof ConfigRejectedError) {
        // BIRD kept running its previous config; put the matching file back.
        if (wrote) await this.restore(onDisk)
        this.log.error({ file: this.path, err: err.message }, 'BIRD refused to reconfigure; restored the last good config')
        return { result: 'rejected', error: err, seconds: seconds() }
      }
      throw err
    }
    this.loaded = text
    this.log.info({ file: this.path, wrote, reload }, 'BIRD config applied')
    return { result: 'applied', wrote, reload, seconds: seconds() }
  }

  private async restore(previous: string | undefined): Promise<void> {
    if (previous === undefined) return
    const staged = await stageFile(this.path, previous, 0o600)
    await commitFile(staged)
  }
}
