import type { Command } from 'commander'
import { lazy } from './lazy.js'

/**
 * `falconer node checksystem` (calicoctl node checksystem): can this host run falconer?
 * One line per check (ok / warning / problem) with the fix; exit 1 when any problem.
 */
export function registerNodeChecksystem(node: Command): Command {
  return node
    .command('checksystem')
    .description('Check this host: the BGP daemon of the backend present, IP forwarding, capabilities, etcd reachable, clock skew against etcd, Node.js version, no host bird.service.')
    .option('--backend <BACKEND>', 'The backend to check for, as for node run: bird, gobgp or none. Environment: CALICO_NETWORKING_BACKEND. [default: bird]')
    .action(lazy(() => import('../node-checksystem.js'), 'nodeChecksystem'))
}
