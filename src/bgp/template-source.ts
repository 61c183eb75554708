import { watch, type FSWatcher } from 'chokidar'
import type { Logger } from '../log.js'
import { loadTemplates, type Templates } from './render/index.js'

/**
 * How long an override file must stay the same size before it is read: an editor or `cp`
 * that truncates and then writes would otherwise be caught half-written (an empty
 * header partial compiles, renders a config without its router id, and BIRD accepts it).
 */
const WRITE_SETTLE_MS = 200

/**
 * The templates in use: the packaged ones, with an operator's overrides from the
 * override directory when they compile. chokidar watches that directory. A broken
 * override is reported and changes nothing: the templates in use stay (the packaged
 * ones when the agent started with it broken), like a config BIRD rejects (invariant 2 in docs/design.md).
 */
export class TemplateSource<T = Templates> {
  private current: T
  private watcher: FSWatcher | undefined

  /** `loader` compiles one backend's set (default: BIRD 1.6's); without an override dir it must not fail. */
  constructor(
    private readonly overrideDir: string,
    private readonly log: Logger,
    private readonly loader: (overrideDir?: string) => T = ((dir?: string) => loadTemplates(dir === undefined ? {} : { overrideDir: dir })) as (overrideDir?: string) => T,
  ) {
    this.current = this.load() ?? loader()
  }

  get(): T {
    return this.current
  }

  /** Starts watching; `onChange` runs after the templates in use were replaced. */
  watch(onChange: () => void): void {
    this.watcher = watch(this.overrideDir, {
      ignoreInitial: true,
      depth: 2,
      awaitWriteFinish: { stabilityThreshold: WRITE_SETTLE_MS, pollInterval: 50 },
    })
    this.watcher.on('all', (event, path) => {
      this.log.info({ event, path }, 'template override changed; re-rendering')
      const next = this.load()
      if (next === undefined) return
      this.current = next
      onChange()
    })
    this.watcher.on('error', (err) => this.log.warn({ err }, 'template override watch failed'))
  }

  async close(): Promise<void> {
    await this.watcher?.close()
  }

  /** The packaged templates with the overrides; undefined (reported) when an override is broken. */
  private load(): T | undefined {
    try {
      return this.loader(this.overrideDir)
    } catch (err) {
      this.log.error(
        { err: (err as Error).message, dir: this.overrideDir },
        'template override rejected; the templates in use stay',
      )
      return undefined
    }
  }
}
