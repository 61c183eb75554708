import type { Command } from 'commander'
import { lazy } from './lazy.js'

/**
 * `falconer bird config`: what the agent would render now, from the datastore, like
 * confd's one-time no-op mode. It reads through the same syncer the agent uses, so the
 * view is the same consistent, validated snapshot; it writes nothing.
 */
export function registerBirdCommands(program: Command): void {
  const bird = program.command('bird').description('inspect the BIRD configuration falconer renders')
  bird
    .command('config')
    .description('print the bird.cfg (or bird6.cfg) that would be rendered now from the datastore, for the BIRD the backend drives (BIRD 2: one file for both families)')
    .option('--ipv6', 'BIRD 1.6: print bird6.cfg instead of bird.cfg (BIRD 2 has one file)')
    .option('--node <NAME>', 'render for this node (default: this host\'s node name)')
    .option('--router-id <ID>', 'router id: an IPv4 address or "hash" (env CALICO_ROUTER_ID)')
    .action(lazy(() => import('../bird.js'), 'birdConfig'))
}

/** `falconer gobgp config`: the GoBGP backend's sibling of `bird config`. */
export function registerGobgpCommands(program: Command): void {
  const gobgp = program.command('gobgp').description('inspect the gobgpd configuration falconer renders (--backend=gobgp)')
  gobgp
    .command('config')
    .description('print the gobgpd.toml that would be rendered now from the datastore (one file for both families)')
    .option('--node <NAME>', 'render for this node (default: this host\'s node name)')
    .option('--router-id <ID>', 'router id: an IPv4 address or "hash" (env CALICO_ROUTER_ID)')
    .action(lazy(() => import('../bird.js'), 'gobgpConfig'))
}
