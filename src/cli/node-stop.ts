import type { Command } from 'commander'
import { EtcdStore } from '../datastore/etcd-store.js'
import { DEFAULT_STOP_TIMEOUT_MS, stopNode } from '../node/lifecycle/stop.js'
import { resolveNodeName } from '../node/nodename.js'
import { cliLogger, cliSettings, write } from './context.js'

/** `falconer node stop [--force]`: stop the local agent (and with it BIRD). */
export function registerNodeStop(node: Command): Command {
  return node
    .command('stop')
    .description(
      'Stop the falconer agent on this host (it stops its BIRD). Refuses while workload endpoints of this node exist, unless --force.',
    )
    .option('--force', 'Stop the Calico node even if there are still endpoints configured.')
    .action(async (opts: { force?: boolean }, command: Command) => {
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
    })
}
