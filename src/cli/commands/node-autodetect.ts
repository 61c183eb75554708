import type { Command } from 'commander'
import { Option } from 'commander'
import { lazy } from './lazy.js'

/**
 * `falconer node autodetect`: runs IP autodetection on this host exactly as startup would
 * and prints the address (`ip/prefixlen`); `--explain` adds one line per candidate with the
 * reason it was chosen or skipped. It changes nothing, so operators can try methods freely.
 */
export function registerNodeAutodetect(node: Command): Command {
  return node
    .command('autodetect')
    .description('show the address IP autodetection picks on this host (and with --explain, why)')
    .option('--ipv6', 'detect the IPv6 address (IP6_AUTODETECTION_METHOD) instead of IPv4')
    .option(
      '--method <method>',
      'first-found | can-reach=IP|NAME | interface=REGEX,… | skip-interface=REGEX,… | cidr=CIDR,… ' +
        '(default: $IP_AUTODETECTION_METHOD or $IP6_AUTODETECTION_METHOD, else first-found)',
    )
    .option('--explain', 'print every candidate interface and address with the reason it was chosen or skipped')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(lazy(() => import('../node-autodetect.js'), 'nodeAutodetect'))
}
