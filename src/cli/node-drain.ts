import type { Command } from 'commander'
import { DEFAULT_APPLY_TIMEOUT_MS, drainNode, undrainNode } from '../node/drain/drain.js'
import { runningAgent } from '../node/lifecycle/agent-process.js'
import { CliError } from './errors.js'
import { cliSettings, write } from './context.js'

/**
 * `--wait` and FALCONER_DRAIN_ON_STOP: seconds as `30`, `30s` or `2m`, 0 to 3600, in ms.
 * `what` names the flag or variable in the error.
 */
export function parseSettleTime(text: string, what: string): number {
  const m = /^\s*(\d+)\s*(s|m)?\s*$/.exec(text)
  const seconds = m === null ? NaN : Number(m[1]) * (m[2] === 'm' ? 60 : 1)
  if (!Number.isSafeInteger(seconds) || seconds > 3600) {
    throw new CliError(`${what} "${text}": expected a time between 0 and 3600 seconds, like 30, 30s or 2m`)
  }
  return seconds * 1000
}

export async function nodeDrain(opts: { wait: string; onStop?: boolean }, command: Command): Promise<void> {
  const { paths } = cliSettings(command)
  const say = (line: string) => write(`${line}\n`)
  if (opts.onStop === true) {
    const setting = process.env['FALCONER_DRAIN_ON_STOP'] ?? ''
    if (setting.trim() === '') return // the unit's stop path without the opt-in: stop as before
    const settleMs = parseSettleTime(setting, 'FALCONER_DRAIN_ON_STOP')
    if ((await runningAgent(paths.agentPid)) === undefined) {
      say('No falconer agent is running: nothing to drain before the stop.')
      return
    }
    await drainNode({ paths, scope: 'stop', settleMs, applyTimeoutMs: DEFAULT_APPLY_TIMEOUT_MS }, say)
    return
  }
  const settleMs = parseSettleTime(opts.wait, '--wait')
  await drainNode({ paths, scope: 'maintenance', settleMs, applyTimeoutMs: DEFAULT_APPLY_TIMEOUT_MS }, say)
}

export async function nodeUndrain(_opts: unknown, command: Command): Promise<void> {
  const { paths } = cliSettings(command)
  await undrainNode({ paths, applyTimeoutMs: DEFAULT_APPLY_TIMEOUT_MS }, (line) => write(`${line}\n`))
}
