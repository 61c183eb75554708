import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { openStatusReaders } from '../backends/status-readers.js'
import { readNodeStatus } from '../status/read-node-status.js'
import { isRunning, nodeStatusJson, renderNodeStatus } from '../status/node-status-view.js'
import { drainStatusLine } from '../node/drain/drain.js'
import { drainAppliedPath, drainMarkerPath, readDrainApplied, readDrainMarker } from '../node/drain/marker.js'
import { CliError } from './errors.js'
import { cliSettings, write } from './flags.js'

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
  const sockets = {
    birdSocket: opts.birdSocket ?? paths.birdSocket,
    bird6Socket: opts.bird6Socket ?? paths.bird6Socket,
    // A GoBGP node: gobgpd's API socket is read when no BIRD answers on bird.ctl.
    gobgpSocket: paths.gobgpSocket,
    ...(process.env['FALCONER_GOBGP_BIN'] && { gobgpBinary: process.env['FALCONER_GOBGP_BIN'] }),
  }
  const readers = await openStatusReaders(sockets, timeoutSeconds * 1000)
  const view = await readNodeStatus(readers).finally(() => readers.close())
  // The drain state comes from the agent's files, not from BIRD: a line above the tables.
  const marker = await readDrainMarker(drainMarkerPath(paths.stateDir)).catch(() => undefined)
  const applied = await readDrainApplied(drainAppliedPath(paths.runDir)).catch(() => undefined)
  const drainLine = drainStatusLine(marker, applied)
  const drain = marker === undefined ? undefined : { since: marker.since, scope: marker.scope, applied: applied?.id === marker.id }
  write(
    format === 'json'
      ? JSON.stringify({ ...nodeStatusJson(view), ...(drain !== undefined && { drain }) }, null, 2) + '\n'
      : `${drainLine === undefined ? '' : `${drainLine}\n`}${renderNodeStatus(view, new Date())}`,
  )
  if (!isRunning(view)) {
    // calicoctl's one line on stdout does not tell a stopped BIRD from a hung one, nor say
    // where it looked (the usual mistake: a --prefix other than the agent's); stderr does.
    const why = (path: string, s: { running: boolean; reason?: string }) =>
      s.running ? `${path}: answering` : s.reason?.includes(path) ? s.reason : `${path}: ${s.reason ?? 'no answer'}`
    throw new CliError(
      `BIRD is not answering (bird: ${why(sockets.birdSocket, view.v4)}; bird6: ${why(sockets.bird6Socket, view.v6)}` +
        // A GoBGP node's socket, when there is one: BIRD's lines alone would mislead there.
        (existsSync(sockets.gobgpSocket) ? `; gobgpd: ${sockets.gobgpSocket}: not answering` : '') +
        '); is the agent running, with this --prefix / FALCONER_PREFIX?',
    )
  }
}
