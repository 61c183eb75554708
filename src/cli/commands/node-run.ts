import type { Command } from 'commander'
import { Option } from 'commander'
import { DOCKER_ONLY_FLAGS } from '../../node/startup/docker-only-flags.js'
import { lazy } from './lazy.js'

/**
 * `falconer node run`: the flags of `calicoctl node run`, with the node started as a
 * process instead of a container. Modes: detached (default), `--init-system` (foreground,
 * for systemd), `--runtime=none` (register only), `--dryrun` (print, touch nothing).
 */
export function registerNodeRun(node: Command): Command {
  const cmd = node
    .command('run')
    .description(
      'Start falconer on this host: register the node in the datastore (addresses, AS number, default IP pools, ' +
        'an address block), enable IP forwarding, then run the agent that configures and supervises BIRD. ' +
        'Environment equivalents: NODENAME, IP, IP6, IP_AUTODETECTION_METHOD, IP6_AUTODETECTION_METHOD, AS, ' +
        'CALICO_NETWORKING_BACKEND, NO_DEFAULT_POOLS, CALICO_IPV4POOL_CIDR, CALICO_IPV6POOL_CIDR, CALICO_ROUTER_ID; flags win.',
    )
    .option('--ip <IP>', "Set the local IPv4 routing address for this node: an address, address/len, or 'autodetect'. If omitted, the value configured on the node resource is used, else one is autodetected.")
    .option('--ip6 <IP6>', "Set the local IPv6 routing address for this node: an address, address/len, or 'autodetect'. If omitted, the value configured on the node resource is used, else the node does not route IPv6.")
    .option('--as <AS_NUM>', 'Set the AS number for this node. If omitted, the value configured on the node resource is used, else the global AS number.')
    .option('--node <NODE>', 'The name of the Calico node (calicoctl: --name, still accepted). If omitted: NODENAME, the stored node name, then the host name.')
    .option('--ip-autodetection-method <IP_AUTODETECTION_METHOD>', 'How to autodetect the IPv4 address: first-found, can-reach=DEST, interface=REGEX,…, skip-interface=REGEX,…, cidr=CIDR,… [default: first-found]')
    .option('--ip6-autodetection-method <IP6_AUTODETECTION_METHOD>', 'How to autodetect the IPv6 address (same methods). [default: first-found]')
    .option('--log-dir <LOG_DIR>', 'The directory for the detached agent\'s log. [default: /var/log/calico]')
    .option('--backend <BACKEND>', 'Networking backend: bird (BIRD 1.6 or 2, by the bird executable\'s version), gobgp (gobgpd; falconer programs the kernel), or none (register only, no BGP daemon). [default: bird]')
    .option('--no-default-ippools', 'Do not create default pools upon startup.')
    .option('--dryrun', 'Output the command that would start the agent, without starting it.')
    .option('--init-system', 'Run in the foreground, as the service of an init system (systemd); SIGTERM stops it.')
    .option('--runtime <RUNTIME>', "'none': register the node and start nothing. [default: agent]")
    .option('--detach <DETACH>', "'false': run in the foreground (like --init-system). [default: true]")
  for (const flag of DOCKER_ONLY_FLAGS) {
    const takesValue = flag === '--node-image' || flag === '--libnetwork-image' || flag === '--docker-networking-ifprefix'
    cmd.addOption(new Option(takesValue ? `${flag} <VALUE>` : flag).hideHelp())
  }
  cmd.addOption(new Option('--felix-config <CONFIG>').hideHelp())
  // calicoctl's spelling of --node; hidden, but not one of the refused flags above.
  cmd.addOption(new Option('--name <NODE>').hideHelp())
  cmd.action(lazy(() => import('../node-run.js'), 'nodeRun'))
  return cmd
}
