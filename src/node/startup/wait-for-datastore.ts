import { setTimeout as sleep } from 'node:timers/promises'
import { UnavailableError } from '../../datastore/errors.js'
import type { ResourceStore } from '../../datastore/store.js'
import { StartupError } from './errors.js'
import type { Say } from './say.js'

export interface WaitOptions {
  /** Give up after this long (a unit manager restarts us; a terminal user gets an answer). */
  readonly timeoutMs: number
  /** Pause between attempts. */
  readonly intervalMs: number
  /** For the message: where we are trying to connect. */
  readonly endpoints: readonly string[]
  /** Stop waiting (SIGTERM while etcd is still down). */
  readonly signal?: AbortSignal
}

export const DEFAULT_WAIT: Omit<WaitOptions, 'endpoints'> = { timeoutMs: 30_000, intervalMs: 1_000 }

/** Any key read will do: a missing Node answers as surely as a present one. */
const PROBE_NODE = 'falconer-datastore-probe'

/**
 * Connects and proves the datastore answers, retrying while it is unreachable. Only
 * "unreachable" is retried: a wrong password or a bad certificate will not fix itself.
 */
export async function waitForDatastore<S extends ResourceStore>(
  open: () => Promise<S>,
  say: Say,
  opts: WaitOptions,
): Promise<S> {
  say('Waiting for etcd connection...')
  const deadline = Date.now() + opts.timeoutMs
  let store: S | undefined
  let reported = false
  const giveUp = async (error: Error): Promise<never> => {
    await store?.close().catch(() => undefined)
    throw error
  }
  for (;;) {
    try {
      store ??= await open()
      await store.get('Node', PROBE_NODE)
      say('Connected to etcd')
      return store
    } catch (err) {
      if (!(err instanceof UnavailableError)) return giveUp(err as Error)
      if (Date.now() >= deadline) {
        return giveUp(
          new StartupError(
            `Could not connect to etcd at ${opts.endpoints.join(',')} within ${opts.timeoutMs / 1000}s: ${err.message}`,
            ['Check ETCD_ENDPOINTS (or the client config file) and that etcd is running'],
            { cause: err },
          ),
        )
      }
      if (!reported) {
        say(`etcd is not reachable yet (${err.message}); retrying for up to ${opts.timeoutMs / 1000}s`)
        reported = true
      }
      const pause = Math.max(0, Math.min(opts.intervalMs, deadline - Date.now()))
      await sleep(pause, undefined, opts.signal ? { signal: opts.signal } : {}).catch(() => undefined)
      if (opts.signal?.aborted) return giveUp(new StartupError('Stopped while waiting for etcd', [], { cause: err }))
    }
  }
}
