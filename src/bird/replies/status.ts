import { IncompleteReplyError } from './errors.js'
import { isGreeting, runParser, skipped, textOf, type LineInput, type LineParser, type ParserOptions } from './lines.js'
import { parseBirdTimestamp, type BirdTimestamp } from './timestamp.js'

/** What the last line of `show status` says (reply code 0013). */
export type DaemonState = 'running' | 'reconfiguring' | 'shutting-down'

export interface BirdStatus {
  /** "1.6.8" */
  readonly version: string
  readonly routerId: string
  readonly serverTime: BirdTimestamp
  readonly lastReboot: BirdTimestamp
  readonly lastReconfiguration: BirdTimestamp
  readonly state: DaemonState
  /** The status line as BIRD wrote it, e.g. "Daemon is up and running". */
  readonly message: string
  /** "Graceful restart recovery in progress" was reported. */
  readonly gracefulRestartRecovery: boolean
}

const STATE_MESSAGES: ReadonlyMap<string, DaemonState> = new Map([
  ['Daemon is up and running', 'running'],
  ['Reconfiguration in progress', 'reconfiguring'],
  ['Shutdown in progress', 'shutting-down'],
])

const PREFIXES = {
  routerId: 'Router ID is ',
  serverTime: 'Current server time is ',
  lastReboot: 'Last reboot on ',
  lastReconfiguration: 'Last reconfiguration on ',
} as const

/** `show status`, one line at a time. */
export function createStatusParser(opts: ParserOptions = {}): LineParser<BirdStatus> {
  let version: string | undefined
  let routerId: string | undefined
  let serverTime: BirdTimestamp | undefined
  let lastReboot: BirdTimestamp | undefined
  let lastReconfiguration: BirdTimestamp | undefined
  let state: DaemonState | undefined
  let message: string | undefined
  let gracefulRestartRecovery = false

  return {
    push(line: LineInput): void {
      const text = textOf(line)
      if (text === '' || isGreeting(text)) return
      const known = STATE_MESSAGES.get(text)
      if (known !== undefined) {
        state = known
        message = text
      } else if (text.startsWith(PREFIXES.routerId)) {
        routerId = text.slice(PREFIXES.routerId.length).trim()
      } else if (text.startsWith(PREFIXES.serverTime)) {
        serverTime = parseBirdTimestamp(text.slice(PREFIXES.serverTime.length).trim())
      } else if (text.startsWith(PREFIXES.lastReboot)) {
        lastReboot = parseBirdTimestamp(text.slice(PREFIXES.lastReboot.length).trim())
      } else if (text.startsWith(PREFIXES.lastReconfiguration)) {
        lastReconfiguration = parseBirdTimestamp(text.slice(PREFIXES.lastReconfiguration.length).trim())
      } else if (text.startsWith('BIRD ') && text.indexOf(' ', 5) < 0) {
        version = text.slice(5)
      } else if (text === 'Graceful restart recovery in progress') {
        gracefulRestartRecovery = true
      } else {
        skipped(opts.log, 'show status', text)
      }
    },
    end(): BirdStatus {
      if (
        version === undefined ||
        routerId === undefined ||
        serverTime === undefined ||
        lastReboot === undefined ||
        lastReconfiguration === undefined ||
        state === undefined ||
        message === undefined
      ) {
        const missing = Object.entries({ version, routerId, serverTime, lastReboot, lastReconfiguration, state })
          .filter(([, v]) => v === undefined)
          .map(([k]) => k)
        throw new IncompleteReplyError('show status', missing)
      }
      return { version, routerId, serverTime, lastReboot, lastReconfiguration, state, message, gracefulRestartRecovery }
    },
  }
}

export function parseStatus(lines: Iterable<LineInput>, opts: ParserOptions = {}): BirdStatus {
  return runParser(createStatusParser(opts), lines)
}
