import type { Command } from 'commander'
import { EtcdStore } from '../datastore/etcd-store.js'
import { DEFAULT_STOP_TIMEOUT_MS, stopNode } from '../node/lifecycle/stop.js'
import { resolveNodeName } from '../node/nodename.js'
import { DEFAULT_APPLY_TIMEOUT_MS, DEFAULT_SETTLE_SECONDS, drainNode } from '../node/drain/drain.js'
import { CliError } from './errors.js'
import { cliLogger, cliSettings, write } from './context.js'
import { parseSettleTime } from './node-drain.js'

export async function nodeStop(opts: { force?: boolean; drain?: boolean; wait?: string }, command: Command): Promise<void> {
  if (opts.wait !== undefined && opts.drain !== true) throw new CliError('--wait: only with --drain (it is the settle time after the drain)')
  const settings = cliSettings(command)
  const settleMs = parseSettleTime(opts.wait ?? String(DEFAULT_SETTLE_SECONDS), '--wait')
  const say = (line: string) => write(`${line}\n`)
  const nodeName = resolveNodeName({ env: process.env, nodenameFile: settings.paths.nodenameFile })
  await stopNode(
    {
      pidFile: settings.paths.agentPid,
      nodeName,
      force: opts.force === true,
      openStore: () => EtcdStore.connect(settings.datastore, cliLogger(command, settings)),
      timeoutMs: DEFAULT_STOP_TIMEOUT_MS,
      // A drained agent stops BIRD cleanly (graceful restart off): nothing is left stale.
      ...(opts.drain === true && {
        beforeStop: async () => {
          await drainNode({ paths: settings.paths, scope: 'stop', settleMs, applyTimeoutMs: DEFAULT_APPLY_TIMEOUT_MS }, say)
        },
      }),
    },
    say,
  )
}
