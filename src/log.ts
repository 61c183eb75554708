import { pino, destination as pinoDestination, stdTimeFunctions, type Logger } from 'pino'
import type { LogLevel } from './settings/settings.js'

export type { Logger }

/**
 * The one logger factory. Structured JSON to stderr (or a file descriptor/path) so
 * systemd's journal and `--log-dir` files carry the same records.
 */
export function createLogger(level: LogLevel = 'info', dest: number | string = 2): Logger {
  return pino(
    { level, base: undefined, timestamp: stdTimeFunctions.isoTime },
    pinoDestination({ dest, sync: true }),
  )
}

/** A logger that drops everything: for pure code paths under test. */
export const silentLogger: Logger = pino({ level: 'silent' })
