import type { Command } from 'commander'
import { EtcdStore } from '../datastore/etcd-store.js'
import { removeNode } from '../node/lifecycle/remove.js'
import { resolveNodeName } from '../node/nodename.js'
import { cliLogger, cliSettings, write } from './context.js'
import { addNodeOption, nodeFlag } from './node-flag.js'

/** `falconer node remove [--node=NODE] [--remove-endpoints]`: delete a node and what belongs to it. */
export function registerNodeRemove(node: Command): Command {
  const remove = node
    .command('remove')
    .description(
      'Remove a node from the Calico network: its Node resource, node-specific BGP peers, BGPConfiguration node.<name>, ' +
        'CalicoNodeStatus objects and block affinities. Refuses while the node has workload endpoints (unless ' +
        '--remove-endpoints) and while this host\'s agent runs when removing this host\'s node.',
    )
  return addNodeOption(remove, 'The name of the node to remove. [default: this host\'s node name]', ['--hostname'])
    .option('--remove-endpoints', 'Remove the endpoint data when deleting the node from the Calico network.')
    .action(async (opts: { removeEndpoints?: boolean }, command: Command) => {
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
    })
}
