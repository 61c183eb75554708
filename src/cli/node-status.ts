import type { Command } from 'commander'
import { readNodeStatus } from '../status/read-node-status.js'
import { isRunning, nodeStatusJson, renderNodeStatus } from '../status/node-status-view.js'
import { CliError, ReportedError } from './errors.js'
import { cliSettings, write, writeErr } from './flags.js'

export interface StatusOptions {
  output: string
  birdSocket?: string
  bird6Socket?: string
  timeout: string
}

export async function nodeStatus(opts: StatusOptions, cmd: Command): Promise<void> {
  const format = opts.output
  if (format !== 'table' && format !== 'json') {
    throw new CliError(`unrecognised output format '${format}' (expected table or json)`)
  }
  const timeoutSeconds = Number(opts.timeout)
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 3600)) throw new CliError(`--timeout ${opts.timeout}: expected seconds between 0 and 3600`)
  // Only the socket paths are used: the datastore is never contacted.
  const { paths } = cliSettings(cmd)
  const view = await readNodeStatus(
    { birdSocket: opts.birdSocket ?? paths.birdSocket, bird6Socket: opts.bird6Socket ?? paths.bird6Socket },
    timeoutSeconds * 1000,
  )
  write(format === 'json' ? JSON.stringify(nodeStatusJson(view), null, 2) + '\n' : renderNodeStatus(view, new Date()))
  if (!isRunning(view)) {
    // calicoctl's one line does not tell a stopped BIRD from a hung one; the reasons do.
    if (format === 'table') writeErr(`bird: ${view.v4.running ? '' : view.v4.reason}\nbird6: ${view.v6.running ? '' : view.v6.reason}\n`)
    throw new ReportedError(1)
  }
}
