import type { Command } from 'commander'
import { lazy } from './lazy.js'

/**
 * `falconer node drain [--wait=SECONDS]` and `falconer node undrain`: take this node out of
 * the traffic path for maintenance without withdrawing a route, and put it back.
 */
export function registerNodeDrain(node: Command): Command {
  node
    .command('drain')
    .description(
      'Drain this node for maintenance: every route it advertises to every BGP peer gets the GRACEFUL_SHUTDOWN community ' +
        '(65535:0, RFC 8326), local preference 0 towards iBGP peers and this node\'s AS prepended towards eBGP peers, so peers ' +
        'move traffic to other paths while this node still forwards. Waits until the agent has applied it, then --wait seconds ' +
        'for peers to move traffic (falconer cannot see their forwarding tables). The node stays drained, also across agent ' +
        'restarts, until `falconer node undrain`. Needs the agent running.',
    )
    .option('--wait <SECONDS>', 'Settle time for peers after the drained config is applied (30, 30s, 2m; 0: return once applied).', '30')
    .option(
      '--on-stop',
      'For the systemd unit\'s ExecStop: drain only when FALCONER_DRAIN_ON_STOP is set (its value is the settle time), ' +
        'only until the agent starts again, and succeed when no agent runs.',
    )
    .addHelpText('after', '\nExamples:\n  falconer node drain\n  falconer node drain --wait=0\n  falconer node undrain\n')
    .action(lazy(() => import('../node-drain.js'), 'nodeDrain'))
  return node
    .command('undrain')
    .description(
      'Undo `falconer node drain`: routes are advertised with their usual attributes again. Waits until the agent has applied it; ' +
        'without a running agent it removes the drain marker, so the node starts undrained.',
    )
    .action(lazy(() => import('../node-drain.js'), 'nodeUndrain'))
}
