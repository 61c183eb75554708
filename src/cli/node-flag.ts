import { Option, type Command } from 'commander'
import { CliError } from './errors.js'

/**
 * The node a command acts on is named by `--node <NODE>` on every command, as in
 * calicoctl's `config` and `get`. Spellings older falconer commands used (`--name` on
 * `node run` and `node bgp peer`, `--hostname` on `node remove`, `-n` on `config`) are still
 * accepted, but hidden from help: `-n` means `--namespace` elsewhere, as in calicoctl.
 */
export type OldNodeSpelling = '--name' | '--hostname' | '-n'

const ATTRIBUTE: Record<OldNodeSpelling, string> = { '--name': 'name', '--hostname': 'hostname', '-n': 'n' }

export function addNodeOption(cmd: Command, help: string, old: readonly OldNodeSpelling[] = []): Command {
  cmd.option('--node <NODE>', help)
  for (const spelling of old) cmd.addOption(new Option(`${spelling} <NODE>`).hideHelp())
  return cmd
}

/** The node named on the command line (any spelling), or undefined; two different names are an error. */
export function nodeFlag(opts: Readonly<Record<string, unknown>>, old: readonly OldNodeSpelling[] = []): string | undefined {
  const given: [string, string][] = []
  for (const [flag, v] of [['--node', opts.node], ...old.map((s) => [s, opts[ATTRIBUTE[s]]])] as [string, unknown][]) {
    if (typeof v === 'string' && v.trim() !== '') given.push([flag, v.trim()])
  }
  const names = new Set(given.map(([, v]) => v))
  if (names.size > 1) {
    throw new CliError(`${given.map(([f, v]) => `${f}=${v}`).join(' and ')} name different nodes; give --node once`)
  }
  return given[0]?.[1]
}
