import type { Command } from 'commander'
import { EtcdStore } from '../datastore/etcd-store.js'
import { removeNode } from '../node/lifecycle/remove.js'
import { resolveNodeName } from '../node/nodename.js'
import { cliLogger, cliSettings, write } from './context.js'
import { nodeFlag } from './node-flag.js'

export async function nodeRemove(opts: { removeEndpoints?: boolean } & Record<string, unknown>, command: Command): Promise<void> {
  const settings = cliSettings(command)
  const localNodeName = resolveNodeName({ env: process.env, nodenameFile: settings.paths.nodenameFile })
  const store = await EtcdStore.connect(settings.datastore, cliLogger(command, settings))
  try {
    await removeNode(
      store,
      {
        nodeName: nodeFlag(opts, ['--hostname']) ?? localNodeName,
        localNodeName,
        pidFile: settings.paths.agentPid,
        removeEndpoints: opts.removeEndpoints === true,
      },
      (line) => write(`${line}\n`),
    )
  } finally {
    await store.close().catch(() => undefined)
  }
}
