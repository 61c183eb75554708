import type { Command } from 'commander'
import { registerNodeAutodetect } from './node-autodetect.js'
import { registerNodeBgpCommands } from './node-bgp-peer.js'
import { registerNodeChecksystem } from './node-checksystem.js'
import { registerNodeDiags } from './node-diags.js'
import { registerNodeDrain } from './node-drain.js'
import { registerNodeRemove } from './node-remove.js'
import { registerNodeRun } from './node-run.js'
import { registerNodeShow } from './node-show.js'
import { registerNodeStatus } from './node-status.js'
import { registerNodeStop } from './node-stop.js'

/**
 * `falconer node …`: the calicoctl node command group. Each subcommand is defined in its own
 * file (commands/node-*.ts, implementation in cli/node-*.ts) and registers itself here.
 */
export function registerNodeCommands(program: Command): Command {
  const node = program
    .command('node')
    .description('manage this Calico node: run, stop, remove, status, show, BGP peers')
  registerNodeRun(node)
  registerNodeStop(node)
  registerNodeDrain(node)
  registerNodeRemove(node)
  registerNodeAutodetect(node)
  registerNodeShow(node)
  registerNodeStatus(node)
  registerNodeBgpCommands(node)
  registerNodeDiags(node)
  registerNodeChecksystem(node)
  return node
}
