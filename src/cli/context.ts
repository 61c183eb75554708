import type { Command } from 'commander'
import type { ResourceStore } from '../datastore/store.js'
import { createLogger, silentLogger, type Logger } from '../log.js'
import type { Settings } from '../settings/index.js'
import { cliSettings, globalFlags } from './flags.js'
import { exitWhenDoneFromNowOn } from './process-exit.js'

// The cheap half (flags, settings, output) lives in flags.ts so commands that never log or
// touch the datastore (node status) load neither pino nor etcd.
export { cliSettings, globalFlags, write, writeErr, type GlobalFlags } from './flags.js'

/**
 * The CLI is quiet unless asked: its stderr carries the one line an operator reads, so
 * structured logs appear only with an explicit --log-level.
 */
export function cliLogger(cmd: Command, settings: Settings): Logger {
  return globalFlags(cmd).logLevel !== undefined ? createLogger(settings.logLevel) : silentLogger
}

/** Bound on closing the etcd client, so a dead datastore can never keep the process alive. */
const CLOSE_TIMEOUT_MS = 2_000

/**
 * Runs `fn` with a connected store and always closes it: an open gRPC channel would keep
 * the process from exiting. Connecting and every request are bounded by the configured
 * datastore timeout inside the store (UnavailableError names the endpoints).
 */
export async function withStore<T>(
  cmd: Command,
  fn: (store: ResourceStore, settings: Settings) => Promise<T>,
): Promise<T> {
  const settings = cliSettings(cmd)
  exitWhenDoneFromNowOn()
  // Loaded on demand: grpc is heavy and --help or a rejected argument never needs it.
  const { EtcdStore } = await import('../datastore/etcd-store.js')
  const store = await EtcdStore.connect(settings.datastore, cliLogger(cmd, settings))
  try {
    return await fn(store, settings)
  } finally {
    await closeBounded(store)
  }
}

async function closeBounded(store: ResourceStore): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)
    timer.unref()
  })
  try {
    await Promise.race([store.close().catch(() => undefined), timeout])
  } finally {
    clearTimeout(timer)
  }
}
