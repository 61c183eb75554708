import type { Command } from 'commander'
import { lazy } from './lazy.js'

/**
 * `falconer node status`: whether BIRD runs and the state of every BGP session, in the
 * calicoctl table. Reads only BIRD's control sockets (no datastore, no root when the
 * sockets are accessible). Exit status 1 when no BIRD answers.
 */
export function registerNodeStatus(node: Command): Command {
  return node
    .command('status')
    .usage('[options]')
    .description(
      'Check the status of the Calico node: whether BIRD runs, and each BGP session with its peer address, ' +
        'peer type (node-to-node mesh, global, node specific), BIRD protocol state, since when, and BGP state.',
    )
    .option('-o, --output <OUTPUT>', 'Output format: table or json.', 'table')
    .option('--bird-socket <PATH>', 'BIRD (IPv4) control socket. [default: <prefix>/var/run/calico/bird.ctl]')
    .option('--bird6-socket <PATH>', 'BIRD6 (IPv6) control socket. [default: <prefix>/var/run/calico/bird6.ctl]')
    .option('--timeout <SECONDS>', 'How long to wait for the daemons to answer (both are asked at once).', '5')
    .addHelpText('after', '\nExamples:\n  falconer node status\n  falconer node status -o json\n')
    .action(lazy(() => import('../node-status.js'), 'nodeStatus'))
}
