import type { Command } from 'commander'
import { CliError } from './errors.js'

/**
 * calicoctl commands falconer does not offer. Typed out of habit (or by a script), each
 * says so and what to use instead, rather than commander's bare "unknown command".
 * Hidden from help: they are not falconer's commands.
 */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  convert:
    'falconer does not offer `convert`: `falconer apply -f`/`create -f` read calicoctl v1 manifests (bgpPeer, ipPool, node) directly and store them as v3',
  datastore:
    'falconer does not offer `datastore`: it only uses the etcdv3 datastore, so there is nothing to migrate; back up etcd with `etcdctl snapshot save`',
  cluster:
    'falconer does not offer `cluster diags`: run `falconer node diags` on each node',
}

export function registerUnsupportedCommands(program: Command): void {
  for (const [name, message] of Object.entries(UNSUPPORTED)) {
    program
      .command(name, { hidden: true })
      .argument('[args...]')
      .allowUnknownOption()
      .helpOption(false)
      .action(() => {
        throw new CliError(message)
      })
  }
}
