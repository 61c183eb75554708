import type { Command } from 'commander'
import type { ResourceStore } from '../datastore/store.js'
import { createLogger, silentLogger, type Logger } from '../log.js'
import { loadSettings, type Env, type Settings } from '../settings/index.js'

/** The options every falconer command accepts (registered once on the program). */
export interface GlobalFlags {
  config?: string
  prefix?: string
  datastoreTimeout?: string
  logLevel?: string
  birdBin?: string
}

export function globalFlags(cmd: Command): GlobalFlags {
  const o = cmd.optsWithGlobals<Record<string, unknown>>()
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const flags: GlobalFlags = {}
  const config = str(o.config)
  const prefix = str(o.prefix)
  const datastoreTimeout = str(o.datastoreTimeout)
  const logLevel = str(o.logLevel)
  const birdBin = str(o.birdBin)
  if (config !== undefined) flags.config = config
  if (prefix !== undefined) flags.prefix = prefix
  if (datastoreTimeout !== undefined) flags.datastoreTimeout = datastoreTimeout
  if (logLevel !== undefined) flags.logLevel = logLevel
  if (birdBin !== undefined) flags.birdBin = birdBin
  return flags
}

export function cliSettings(cmd: Command, env: Env = process.env): Settings {
  return loadSettings(globalFlags(cmd), env)
}

/**
 * The CLI is quiet unless asked: its stderr carries the one line an operator reads, so
 * structured logs appear only with an explicit --log-level.
 */
export function cliLogger(cmd: Command, settings: Settings): Logger {
  return globalFlags(cmd).logLevel !== undefined ? createLogger(settings.logLevel) : silentLogger
}

let exitWhenDone = false

/**
 * A one-shot command that talked to etcd is finished once its action returns, but grpc may
 * keep a half-open connection to a dead or silent endpoint alive for seconds after the
 * client was closed. main() ends such commands explicitly instead of waiting for that.
 */
export function shouldExitWhenDone(): boolean {
  return exitWhenDone
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
  exitWhenDone = true
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

export function write(text: string): void {
  process.stdout.write(text)
}

export function writeErr(text: string): void {
  process.stderr.write(text)
}
