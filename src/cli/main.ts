import { Command, CommanderError } from 'commander'
import { VERSION } from '../version.js'
import { registerApplyCommands } from './apply.js'
import { registerBirdCommands } from './bird.js'
import { registerConfigCommands } from './config.js'
import { shouldExitWhenDone } from './context.js'
import { registerDeleteCommand } from './delete.js'
import { ReportedError, exitCodeFor, formatError } from './errors.js'
import { registerGetCommand } from './get.js'
import { registerIpamCommands } from './ipam.js'
import { addGlobalOptions } from './global-options.js'
import { helpArgv } from './help.js'
import { registerNodeCommands } from './node.js'
import { registerUnsupportedCommands } from './unsupported.js'
import { registerVersionCommand } from './version.js'

/**
 * falconer's command tree. Each command group registers itself from its own file so
 * groups stay small and independent; this file only assembles them and maps errors to
 * exit codes (0 success, 1 bad input / failure).
 */
export function buildProgram(): Command {
  const program = new Command('falconer')
    .description('Per-node BGP agent: registers the node in etcd, renders and supervises BIRD, reports BGP status.\nCommands mirror calicoctl.')
    .version(VERSION, '--version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // commander may add a suggestion on a second line; the operator gets one line.
      outputError: (s, write) => write(`${formatError(s)} (run with --help for usage)\n`),
    })
  addGlobalOptions(program)

  registerVersionCommand(program)

  // command groups (one file each) are registered below
  registerConfigCommands(program)
  registerApplyCommands(program)
  registerDeleteCommand(program)
  registerGetCommand(program)
  registerNodeCommands(program)
  registerBirdCommands(program)
  registerIpamCommands(program)
  registerUnsupportedCommands(program)
  return program
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe(process.stdout)
  quietOnClosedPipe(process.stderr)
  const program = buildProgram()
  try {
    await program.parseAsync(helpArgv(argv))
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (help, version or usage error)
      process.exitCode = err.exitCode
      return
    }
    // The command printed its own lines (one per failed resource).
    if (!(err instanceof ReportedError)) process.stderr.write(`${formatError(err)}\n`)
    process.exitCode = exitCodeFor(err)
  } finally {
    if (shouldExitWhenDone()) {
      await flushed(process.stdout)
      await flushed(process.stderr)
      process.exit()
    }
  }
}

/**
 * `falconer get bgppeers | head` closes the pipe early: that is the reader being done, not
 * a failure worth a stack trace. Stop quietly, as other Unix tools do.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
}

/** Resolves once everything written so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()))
}
