import { Command, CommanderError } from 'commander'
import { VERSION } from '../version.js'
import { registerApplyCommands } from './commands/apply.js'
import { registerBirdCommands, registerGobgpCommands } from './commands/bird.js'
import { registerCompletionCommand } from './completion.js'
import { registerConfigCommands } from './commands/config.js'
import { registerDeleteCommand } from './commands/delete.js'
import { registerGetCommand } from './commands/get.js'
import { registerNodeCommands } from './commands/node.js'
import { ReportedError, errorLine, exitCodeFor } from './errors.js'
import { addGlobalOptions } from './global-options.js'
import { flushed, quietOnClosedPipe, shouldExitWhenDone } from './process-exit.js'
import { helpArgv } from './help.js'
import { registerIpamCommands } from './commands/ipam.js'
import { registerLabelCommand } from './commands/label.js'
import { registerPatchCommand } from './commands/patch.js'
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
    .configureOutput(usageErrors(undefined))
  addGlobalOptions(program)

  registerVersionCommand(program)

  // command groups (one file each) are registered below
  registerConfigCommands(program)
  registerApplyCommands(program)
  registerDeleteCommand(program)
  registerGetCommand(program)
  registerLabelCommand(program)
  registerPatchCommand(program)
  registerNodeCommands(program)
  registerBirdCommands(program)
  registerGobgpCommands(program)
  registerCompletionCommand(program)
  registerIpamCommands(program)
  registerUnsupportedCommands(program)
  // Usage errors in the one error style, with the prefix of the command they belong to.
  for (const top of program.commands) forEachCommand(top, (c) => c.configureOutput(usageErrors(top.name())))
  return program
}

function usageErrors(topName: string | undefined) {
  return {
    writeErr: (s: string) => process.stderr.write(s),
    // commander may add a suggestion on a second line; the operator gets one line.
    outputError: (s: string, write: (s: string) => void) => write(`${errorLine(s, topName)} (run with --help for usage)\n`),
  }
}

function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd)
  for (const sub of cmd.commands) forEachCommand(sub, fn)
}

/** The top-level command an action belongs to (`get` for `falconer get nodes`). */
function topLevelName(cmd: Command): string | undefined {
  let c: Command | null = cmd
  while (c?.parent?.parent) c = c.parent
  return c?.parent ? c.name() : undefined
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe(process.stdout)
  quietOnClosedPipe(process.stderr)
  const program = buildProgram()
  let running: string | undefined
  program.hook('preAction', (_self, action) => {
    running = topLevelName(action)
  })
  try {
    await program.parseAsync(helpArgv(argv))
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (help, version or usage error)
      process.exitCode = err.exitCode
      return
    }
    // The command printed its own lines (one per failed resource).
    if (!(err instanceof ReportedError)) process.stderr.write(`${errorLine(err, running)}\n`)
    process.exitCode = exitCodeFor(err)
  } finally {
    if (shouldExitWhenDone()) {
      await flushed(process.stdout)
      await flushed(process.stderr)
      process.exit()
    }
  }
}
