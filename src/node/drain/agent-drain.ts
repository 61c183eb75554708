import { mkdir, rm } from 'node:fs/promises'
import { basename } from 'node:path'
import { watch } from 'chokidar'
import type { Logger } from '../../log.js'
import { drainAppliedPath, drainMarkerPath, readDrainMarker, removeDrainMarker, writeDrainApplied } from './marker.js'

/**
 * The agent's side of the drain: the marker is an input of every render (like the secret
 * files), watched so that `node drain` takes effect at once; every successful apply is
 * recorded in the applied file, which `node drain` waits for. Backend-neutral: the
 * reconciler only sees a drain id.
 */

/** A watch can miss an event (a directory replaced under it); the marker is re-read this often too. */
const RECHECK_MS = 2_000

export interface AgentDrain {
  /** For the reconciler: the drain id, or undefined when the node is not drained. */
  readonly readDrain: () => Promise<string | undefined>
  /** After a run whose config BIRD accepted: what it carries. */
  recordApplied(drainId: string | undefined): Promise<void>
  /** Whether the config in place is drained (then BIRD is stopped cleanly: see docs). */
  drainedNow(): boolean
  stop(): Promise<void>
}

export async function startAgentDrain(opts: {
  readonly stateDir: string
  readonly runDir: string
  readonly log: Logger
  /** The marker appeared, changed or went away: render again. */
  readonly onChange: () => void
}): Promise<AgentDrain> {
  const { log } = opts
  const markerFile = drainMarkerPath(opts.stateDir)
  const appliedFile = drainAppliedPath(opts.runDir)
  await mkdir(opts.stateDir, { recursive: true })
  // A drain made for a stop lasts until the agent starts again; a maintenance drain stays.
  const atStart = await readDrainMarker(markerFile)
  if (atStart?.scope === 'stop') {
    await removeDrainMarker(markerFile)
    log.info({ marker: markerFile }, 'the node was drained for a stop; starting undrained')
  } else if (atStart !== undefined) {
    log.warn({ marker: markerFile, since: atStart.since }, 'the node is drained for maintenance; it stays drained until `falconer node undrain`')
  }
  await rm(appliedFile, { force: true })

  let lastRead: string | undefined = atStart?.scope === 'stop' ? undefined : atStart?.id
  let applied: string | undefined
  let recorded = false
  let reported = ''
  const readDrain = async (): Promise<string | undefined> => {
    const marker = await readDrainMarker(markerFile, (err) => {
      if (err.message !== reported) log.warn({ err: err.message }, 'drain marker unreadable; treating the node as drained')
      reported = err.message
    })
    lastRead = marker?.id
    return lastRead
  }

  const watcher = watch(opts.stateDir, { ignoreInitial: true, depth: 0 })
  watcher.on('all', (_event, path) => {
    if (basename(path) === basename(markerFile)) opts.onChange()
  })
  watcher.on('error', (err) => log.warn({ err }, 'state directory watch failed'))
  const recheck = setInterval(() => {
    void readDrainMarker(markerFile).then(
      (m) => {
        if (m?.id !== lastRead) opts.onChange()
      },
      () => undefined,
    )
  }, RECHECK_MS)
  recheck.unref()

  return {
    readDrain,
    async recordApplied(drainId) {
      if (recorded && drainId === applied) return
      if (drainId !== applied) {
        log.info(drainId === undefined ? {} : { drain: drainId }, drainId === undefined ? 'node undrained: routes exported normally' : 'node drained: every route exported as least preferred (GRACEFUL_SHUTDOWN)')
      }
      applied = drainId
      recorded = true
      try {
        await writeDrainApplied(appliedFile, { id: drainId, at: new Date().toISOString() })
      } catch (err) {
        log.warn({ err, file: appliedFile }, 'cannot record the applied drain state; `node drain` will wait for it')
      }
    },
    drainedNow: () => applied !== undefined,
    async stop() {
      clearInterval(recheck)
      await watcher.close()
    },
  }
}
