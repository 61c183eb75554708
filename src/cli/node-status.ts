import type { Command } from 'commander'
import { openStatusReaders } from '../backends/status-readers.js'
import { readNodeStatus } from '../status/read-node-status.js'
import { isRunning, nodeStatusJson, renderNodeStatus } from '../status/node-status-view.js'
import { CliError, ReportedError } from './errors.js'
import { cliSettings, write } from './context.js'

interface StatusOptions {
  output: string
  birdSocket?: string
  bird6Socket?: string
  timeout: string
}

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
    .option('--timeout <SECONDS>', 'How long to wait for each BIRD reply.', '5')
    .addHelpText('after', '\nExamples:\n  falconer node status\n  falconer node status -o json\n')
    .action(async (opts: StatusOptions, cmd: Command) => {
      const format = opts.output
      if (format !== 'table' && format !== 'json') {
        throw new CliError(`unrecognised output format '${format}' (expected table or json)`)
      }
      const timeoutSeconds = Number(opts.timeout)
      if (!(timeoutSeconds > 0 && timeoutSeconds <= 3600)) throw new CliError(`--timeout ${opts.timeout}: expected seconds between 0 and 3600`)
      // Only the socket paths are used: the datastore is never contacted.
      const { paths } = cliSettings(cmd)
      const readers = await openStatusReaders(
        { birdSocket: opts.birdSocket ?? paths.birdSocket, bird6Socket: opts.bird6Socket ?? paths.bird6Socket },
        timeoutSeconds * 1000,
      )
      const view = await readNodeStatus(readers).finally(() => readers.close())
      write(format === 'json' ? JSON.stringify(nodeStatusJson(view), null, 2) + '\n' : renderNodeStatus(view, new Date()))
      if (!isRunning(view)) throw new ReportedError(1)
    })
}
