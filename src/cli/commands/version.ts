import type { Command } from 'commander'
import { lazy } from './lazy.js'

/** `falconer version` (implementation in ../version.ts). */
export function registerVersionCommand(program: Command): Command {
  return program
    .command('version')
    .description(
      'Print the client version, the commit it was built from, the version of the BIRD the agent would drive ' +
        '(--bird-bin / FALCONER_BIRD_BIN) and, when the datastore is reachable, ' +
        'the cluster version and type (from ClusterInformation, written by calico/node) and the etcd server version.',
    )
    .action(lazy(() => import('../version.js'), 'version'))
}
