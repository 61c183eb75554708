import { watch, type FSWatcher } from 'chokidar'
import type { Logger } from '../log.js'
import { loadTemplates, type Templates } from './render/index.js'

/**
 * The templates in use: the packaged ones, with an operator's overrides from the
 * override directory when they compile. chokidar watches that directory; a broken
 * override is reported and the packaged templates stay in use.
 */
export class TemplateSource {
  private current: Templates
  private watcher: FSWatcher | undefined

  constructor(
    private readonly overrideDir: string,
    private readonly log: Logger,
  ) {
    this.current = this.load()
  }

  get(): Templates {
    return this.current
  }

  /** Starts watching; `onChange` runs after the templates in use were replaced. */
  watch(onChange: () => void): void {
    this.watcher = watch(this.overrideDir, { ignoreInitial: true, depth: 2 })
    this.watcher.on('all', (event, path) => {
      this.log.info({ event, path }, 'template override changed; re-rendering')
      this.current = this.load()
      onChange()
    })
    this.watcher.on('error', (err) => this.log.warn({ err }, 'template override watch failed'))
  }

  async close(): Promise<void> {
    await this.watcher?.close()
  }

  private load(): Templates {
    try {
      return loadTemplates({ overrideDir: this.overrideDir })
    } catch (err) {
      this.log.error({ err: (err as Error).message, dir: this.overrideDir }, 'template override rejected; using the packaged templates')
      return loadTemplates()
    }
  }
}
