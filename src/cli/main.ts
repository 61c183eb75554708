import { Command, CommanderError } from 'commander'
import { VERSION } from '../version.js'
import { registerApplyCommands } from './commands/apply.js'
import { registerBirdCommands, registerGobgpCommands } from './commands/bird.js'
import { registerCompletionCommand } from './completion.js'
import { registerConfigCommands } from './commands/config.js'
import { registerDeleteCommand } from './commands/delete.js'
import { registerGetCommand } from './commands/get.js'
import { registerNodeCommands } from './commands/node.js'
import { ReportedError, exitCodeFor, formatError } from './errors.js'
import { addGlobalOptions } from './global-options.js'
import { flushed, quietOnClosedPipe, shouldExitWhenDone } from './process-exit.js'
import { helpArgv } from './help.js'
import { registerIpamCommands } from './commands/ipam.js'
import { registerUnsupportedCommands } from './unsupported.js'
import { registerVersionCommand } from './commands/version.js'

/**
 * falconer's command tree. Each command group registers itself from its own file in
 * commands/ so groups stay small and independent; this file only assembles them and maps
 * errors to exit codes (0 success, 1 bad input / failure). The tree is cheap to build:
 * commands/ holds definitions only, and each action loads its implementation when it runs
 * (commands/lazy.ts).
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
  registerGobgpCommands(program)
  registerCompletionCommand(program)
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
