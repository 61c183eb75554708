import { Command, CommanderError } from 'commander'
import { VERSION } from '../version.js'
import { exitCodeFor, formatError } from './errors.js'
import { registerNodeCommands } from './node.js'

/**
 * falconer's command tree. Each command group registers itself from its own file so
 * groups stay small and independent; this file only assembles them and maps errors to
 * exit codes (0 success, 1 bad input / failure).
 */
export function buildProgram(): Command {
  const program = new Command('falconer')
    .description('Per-node BGP agent: registers the node in etcd, renders and supervises BIRD, reports BGP status.\nCommands mirror calicoctl.')
    .version(VERSION, '--version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })

  program
    .command('version')
    .description('print the falconer version')
    .action(() => {
      process.stdout.write(`Client Version:    v${VERSION}\n`)
    })

  // command groups (one file each) are registered below
  registerNodeCommands(program)
  return program
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (help, version or usage error)
      process.exitCode = err.exitCode
      return
    }
    process.stderr.write(`${formatError(err)}\n`)
    process.exitCode = exitCodeFor(err)
  }
}
