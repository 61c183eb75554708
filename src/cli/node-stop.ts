import type { Command } from 'commander'
import { EtcdStore } from '../datastore/etcd-store.js'
import { DEFAULT_STOP_TIMEOUT_MS, stopNode } from '../node/lifecycle/stop.js'
import { resolveNodeName } from '../node/nodename.js'
import { cliLogger, cliSettings, write } from './context.js'

export async function nodeStop(opts: { force?: boolean }, command: Command): Promise<void> {
  const settings = cliSettings(command)
  const nodeName = resolveNodeName({ env: process.env, nodenameFile: settings.paths.nodenameFile })
  await stopNode(
    {
      pidFile: settings.paths.agentPid,
      nodeName,
      force: opts.force === true,
      openStore: () => EtcdStore.connect(settings.datastore, cliLogger(command, settings)),
      timeoutMs: DEFAULT_STOP_TIMEOUT_MS,
    },
    (line) => write(`${line}\n`),
  )
}
