import type { Command } from 'commander'
import { lazy } from './lazy.js'

/**
 * `falconer node checksystem` (calicoctl node checksystem): can this host run falconer?
 * One line per check (ok / warning / problem) with the fix; exit 1 when any problem.
 */
export function registerNodeChecksystem(node: Command): Command {
  return node
    .command('checksystem')
    .description('Check this host: BIRD present, IP forwarding, capabilities, etcd reachable, clock skew against etcd, Node.js version, no host bird.service.')
    .action(lazy(() => import('../node-checksystem.js'), 'nodeChecksystem'))
}
