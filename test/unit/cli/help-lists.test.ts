import t from 'tap'
import type { Command } from 'commander'
import { KINDS } from '../../../src/api/types.js'
import { buildProgram } from '../../../src/cli/main.js'

/**
 * A command group's description lists what it offers ("run, stop, …"): every item there
 * must be a command that exists in the group, so `--help` never advertises a phantom.
 */
function find(program: Command, path: readonly string[]): Command {
  let cmd = program
  for (const name of path) {
    const next = cmd.commands.find((c) => c.name() === name)
    if (next === undefined) throw new Error(`no command ${path.join(' ')}`)
    cmd = next
  }
  return cmd
}

t.test('node --help: the description names only existing commands', async (t) => {
  const node = find(buildProgram(), ['node'])
  const names = new Set(node.commands.map((c) => c.name().toLowerCase()))
  const listed = node.description().replace(/^[^:]*:\s*/, '').split(',').map((s) => s.trim().split(/\s+/)[0]!.toLowerCase())
  t.ok(listed.length >= 5, `the description lists commands (${listed.join(', ')})`)
  for (const item of listed) t.ok(names.has(item), `"${item}" is a node command`)
  t.notOk(names.has('diagnostics'), 'no diagnostics command here')
})

t.test('get --help lists every kind falconer stores', async (t) => {
  const get = find(buildProgram(), ['get'])
  const text = get.description().toLowerCase()
  for (const kind of KINDS) t.ok(text.includes(kind.toLowerCase()), `${kind} is listed`)
})
