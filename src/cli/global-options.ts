import { Option, type Command } from 'commander'
import { docoptHelp } from './help.js'

/**
 * Options every command accepts. They are registered once, on the program, and commander
 * recognises program options before and after the subcommand, so
 * `falconer node show -c /etc/calico/calicoctl.cfg` works as with calicoctl.
 * Must run before the command groups are added: subcommands copy the help settings of
 * their parent when they are created.
 */
export function addGlobalOptions(program: Command): Command {
  return program
    .option(
      '-c, --config <CONFIG>',
      'Path to the file containing connection configuration in YAML or JSON format. [default: /etc/calico/calicoctl.cfg]',
    )
    .option('--prefix <DIR>', 'Relocate every path falconer uses under DIR (env FALCONER_PREFIX).')
    .option(
      '--datastore-timeout <SECONDS>',
      'Give up on an unreachable etcd after this long (env FALCONER_DATASTORE_TIMEOUT). [default: 10]',
    )
    .option('--bird-bin <PATH>', 'The BIRD executable (1.6 or 2.x, told apart by its version); birdc and bird6 beside it (env FALCONER_BIRD_BIN). [default: bird]')
    .option('--log-level <LEVEL>', 'Log to stderr at this level: debug, info, warning, error, critical, none.')
    // calicoctl refuses to talk to a cluster of another version unless given this flag;
    // falconer makes no such check, so scripts that pass it keep working and it changes nothing.
    .addOption(new Option('--allow-version-mismatch', 'Accepted for calicoctl compatibility (falconer does not compare client and cluster versions).').hideHelp())
    .helpOption('-h, --help', 'Show this screen.')
    .helpCommand('help [COMMAND]', 'Show the help of a command.')
    .configureHelp({ showGlobalOptions: true, formatHelp: docoptHelp })
}
