import type { Command, Help, Option } from 'commander'

/**
 * `--help` in the docopt layout of the calicoctl documents:
 *
 *   Usage:
 *     falconer node bgp peer add <PEER_IP> as <AS_NUM> [options]
 *
 *   Description:
 *     …
 *
 *   Options:
 *     -h --help                Show this screen.
 *     -c --config=<CONFIG>     …
 *
 * Global options (-c, --prefix, --datastore-timeout, --log-level) are listed on every
 * command because every command accepts them.
 */
export function docoptHelp(cmd: Command, helper: Help): string {
  const sections: string[] = []
  sections.push(`Usage:\n  ${commandPath(cmd)} ${cmd.usage()}`.trimEnd())

  const description = cmd.description()
  if (description) sections.push(`Description:\n${indentWrap(description, 2, 80)}`)

  const commands = helper.visibleCommands(cmd)
  if (commands.length > 0) {
    const terms = commands.map((c) => [helper.subcommandTerm(c).replace(/ \[options\]/, ''), c.summary() || firstSentence(c.description())] as const)
    sections.push(`Commands:\n${formatItems(terms)}`)
  }

  const options = [...helper.visibleOptions(cmd), ...helper.visibleGlobalOptions(cmd)]
    .filter((o) => o.long !== '--version')
  if (options.length > 0) {
    sections.push(`Options:\n${formatItems(options.map((o) => [optionTerm(o), optionDescription(o)] as const))}`)
  }
  return sections.join('\n\n') + '\n'
}

function commandPath(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/** `-c, --config <CONFIG>` → `-c --config=<CONFIG>`; long-only options line up under the longs. */
function optionTerm(option: Option): string {
  const arg = /[<[][^>\]]*[>\]]/.exec(option.flags)?.[0]
  const long = option.long ? `${option.long}${arg ? `=${arg}` : ''}` : ''
  return option.short ? `${option.short} ${long}`.trimEnd() : `   ${long}`
}

function optionDescription(option: Option): string {
  const parts = [option.description]
  if (option.argChoices) parts.push(`One of: ${option.argChoices.join(', ')}.`)
  if (option.defaultValue !== undefined && option.defaultValue !== false) {
    parts.push(`[default: ${option.defaultValueDescription ?? String(option.defaultValue)}]`)
  }
  return parts.filter(Boolean).join(' ')
}

function formatItems(items: readonly (readonly [string, string])[]): string {
  const termWidth = Math.min(34, Math.max(...items.map(([t]) => t.length)) + 2)
  return items
    .map(([term, text]) => {
      const lines = wrap(text, Math.max(30, 78 - termWidth - 2))
      const head = term.length + 2 > termWidth ? [`  ${term}`, ...lines.map((l) => ' '.repeat(termWidth + 2) + l)]
        : [`  ${term.padEnd(termWidth)}${lines[0] ?? ''}`, ...lines.slice(1).map((l) => ' '.repeat(termWidth + 2) + l)]
      return head.join('\n')
    })
    .join('\n')
}

/**
 * Paragraphs (blank-line separated) are re-wrapped; a paragraph laid out by hand (a line
 * that starts with a space, or columns separated by two spaces) is kept as written.
 */
function indentWrap(text: string, indent: number, width: number): string {
  const pad = ' '.repeat(indent)
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => {
      const lines = paragraph.split('\n')
      const laidOut = lines.some((l) => /^\s|\S {2,}\S/.test(l))
      return (laidOut ? lines : wrap(lines.join(' '), width - indent)).map((l) => pad + l).join('\n')
    })
    .join('\n\n')
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let current = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current)
      current = word
    } else {
      current = current ? `${current} ${word}` : word
    }
  }
  if (current) lines.push(current)
  return lines
}

/** The summary of a command in its parent's list: the first sentence of its description. */
function firstSentence(text: string): string {
  const paragraph = (text.split(/\n\s*\n/)[0] ?? '').split('\n').join(' ')
  const end = paragraph.search(/\.(\s|$)/)
  return end < 0 ? paragraph : paragraph.slice(0, end + 1)
}

/**
 * `falconer help node status` → `falconer node status --help`. commander's own help
 * command looks only one level down and would print the help of `node`.
 */
export function helpArgv(argv: readonly string[]): string[] {
  const i = argv.indexOf('help', 2)
  // Only `help` in the command position: every word before it is an option.
  if (i < 0 || i + 1 >= argv.length || argv.slice(2, i).some((a) => !a.startsWith('-'))) return [...argv]
  return [...argv.slice(0, i), ...argv.slice(i + 1), '--help']
}
