import { IncompleteReplyError } from './errors.js'
import { isGreeting, parseUint, runParser, skipped, textOf, type LineInput, type LineParser, type ParserOptions } from './lines.js'

/** How BIRD answered `configure […]` / `configure check` / `configure confirm|undo`, by reply code. */
export type ConfigureOutcome =
  | 'reconfigured' // 0003
  | 'in-progress' // 0004: accepted; protocols are still restarting
  | 'queued' // 0005: another reconfiguration is running; this one follows
  | 'shutting-down' // 0006: ignored
  | 'unqueued' // 0017
  | 'confirmed' // 0018
  | 'nothing-to-do' // 0019
  | 'config-ok' // 0020: `configure check` found no error

/** A rejected configuration; `location` when BIRD named the place ("FILE:LINE:COL message"). */
export interface ConfigError {
  /** BIRD's whole message, e.g. "/etc/bird/bad.conf:60:3 syntax error". */
  readonly text: string
  /** The message without the location, e.g. "syntax error". */
  readonly message: string
  readonly location: { readonly file: string; readonly line: number; readonly column: number } | undefined
}

export type ConfigureReply =
  | {
      readonly outcome: ConfigureOutcome
      /** From "Reading configuration from FILE" (0002). */
      readonly configFile: string | undefined
      /** `configure timeout`: "Undo scheduled in N s" (0022). */
      readonly undoScheduledSeconds: number | undefined
    }
  | { readonly outcome: 'rejected'; readonly configFile: string | undefined; readonly error: ConfigError }

const OUTCOMES: ReadonlyMap<string, ConfigureOutcome> = new Map([
  ['Reconfigured', 'reconfigured'],
  ['Reconfiguration in progress', 'in-progress'],
  ['Reconfiguration already in progress, queueing new config', 'queued'],
  ['Reconfiguration ignored, shutting down', 'shutting-down'],
  ['Reconfiguration already in progress, removing queued config', 'unqueued'],
  ['Reconfiguration confirmed', 'confirmed'],
  ['Nothing to do', 'nothing-to-do'],
  ['Configuration OK', 'config-ok'],
])

const READING = 'Reading configuration from '
const UNDO_SCHEDULED = /^Undo scheduled in (\d+) s$/
const REPLY = 'configure'

/** "FILE:LINE:COL message" as BIRD reports config errors (8002 and `bird -p`). */
export function parseConfigError(text: string): ConfigError {
  const m = /^(.+?):(\d+):(\d+) (.*)$/s.exec(text)
  if (m === null) return { text, message: text, location: undefined }
  const [, file, line, column, message] = m as unknown as [string, string, string, string, string]
  return { text, message, location: { file, line: Number(line), column: Number(column) } }
}

/**
 * The stderr of `bird -p -c FILE` ("bird: FILE:L:C message"); undefined when it is empty
 * (bird -p is silent on a valid file).
 */
export function parseConfigCheckOutput(stderr: string): ConfigError | undefined {
  const line = stderr.split('\n').find((l) => l.trim() !== '')
  if (line === undefined) return undefined
  return parseConfigError(line.trim().replace(/^bird6?: /, ''))
}

/**
 * The lines of a configure reply. Texts alone decide: BIRD's success messages are fixed
 * strings, and any other line is the error (8002 config error, 8007 access denied, 9001
 * when the command itself did not parse). With the socket client, an error reply arrives
 * as `BirdCommandError`, whose `lines` this reads just as well.
 */
export function createConfigureParser(opts: ParserOptions = {}): LineParser<ConfigureReply> {
  let configFile: string | undefined
  let undoScheduledSeconds: number | undefined
  let outcome: ConfigureOutcome | undefined
  let errorText: string | undefined
  return {
    push(line: LineInput): void {
      const text = textOf(line)
      if (text === '' || isGreeting(text) || text === 'Undo requested') return
      const known = OUTCOMES.get(text)
      if (known !== undefined) {
        outcome = known
        return
      }
      if (text.startsWith(READING)) {
        configFile = text.slice(READING.length)
        return
      }
      const undo = UNDO_SCHEDULED.exec(text)
      if (undo !== null) {
        undoScheduledSeconds = parseUint(undo[1] as string)
        return
      }
      if (errorText === undefined) errorText = text
      else skipped(opts.log, REPLY, text)
    },
    end(): ConfigureReply {
      if (outcome !== undefined) {
        if (errorText !== undefined) skipped(opts.log, REPLY, errorText)
        return { outcome, configFile, undoScheduledSeconds }
      }
      if (errorText !== undefined) return { outcome: 'rejected', configFile, error: parseConfigError(errorText) }
      throw new IncompleteReplyError(REPLY, ['outcome'])
    },
  }
}

export function parseConfigureReply(lines: Iterable<LineInput>, opts: ParserOptions = {}): ConfigureReply {
  return runParser(createConfigureParser(opts), lines)
}
