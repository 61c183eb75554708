import type { Command } from 'commander'
import { addNodeOption } from '../node-flag.js'
import { lazy } from './lazy.js'

/** `falconer ipam show` and `ipam release` (implementations in ../ipam.ts). */
export function registerIpamCommands(program: Command): Command {
  const ipam = program
    .command('ipam')
    .description('Show the address blocks nodes have claimed from the IP pools, and release a block.')

  ipam
    .command('show')
    .usage('[--show-blocks] [options]')
    .description(
      'Show each IP pool with its size and how many of its blocks are claimed by nodes; with --show-blocks, ' +
        'every claimed block, its node and its state. falconer does not assign single addresses, so there is ' +
        'no "IPs in use" column.',
    )
    .option('--show-blocks', 'Show each claimed block.')
    .action(lazy(() => import('../ipam.js'), 'ipamShow'))

  const release = ipam
    .command('release')
    .usage('--block=<CIDR> [--node=<NODE>] [options]')
    .description(
      "Release a block claimed by a node: its affinity and (when empty) the block itself. A block that still " +
        "has addresses assigned is refused. The node's agent, if running, claims a block again when it has none.",
    )
    .option('--block <CIDR>', 'The block to release, e.g. 192.168.12.64/26.')
    .option('--ip <IP>', 'calicoctl\'s single-address release: not offered (see the description).')
  addNodeOption(release, 'The node that claims the block. [default: the node the block\'s affinity names]')
    .action(lazy(() => import('../ipam.js'), 'ipamRelease'))
  return ipam
}

