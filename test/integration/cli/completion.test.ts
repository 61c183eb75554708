/**
 * `falconer completion bash` as bash uses it: the script is sourced and its completion
 * function asked, the way bash does on TAB, for what follows the words typed so far.
 */
import t from 'tap'
import { execa } from 'execa'
import { ensureBuilt, runCli } from '../../helpers/cli.js'

t.before(ensureBuilt)

let script = ''
t.before(async () => {
  const r = await runCli(['completion', 'bash'])
  if (r.code !== 0) throw new Error(r.stderr)
  script = r.stdout
})

/** What bash would offer after `words` (the last one being completed, '' for a new word). */
async function complete(words: string[]): Promise<string[]> {
  const line = ['falconer', ...words]
  const bash = `${script}
COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${line.length - 1}
_falconer
printf '%s\\n' "\${COMPREPLY[@]}"
complete -p falconer >&2`
  const r = await execa('bash', ['--norc', '--noprofile', '-c', bash], { reject: false })
  if (r.exitCode !== 0) throw new Error(r.stderr)
  if (!r.stderr.includes('complete -F _falconer falconer')) throw new Error(`not registered: ${r.stderr}`)
  return r.stdout.split('\n').filter((w) => w !== '')
}

t.test('top-level commands', async (t) => {
  const all = await complete([''])
  for (const c of ['node', 'get', 'apply', 'create', 'replace', 'delete', 'config', 'bird', 'version', 'completion']) t.ok(all.includes(c), c)
  t.same(await complete(['no']), ['node'])
  t.same(await complete(['ap']), ['apply'])
})

t.test('subcommands and options of the command typed so far', async (t) => {
  const node = await complete(['node', ''])
  for (const c of ['run', 'stop', 'status', 'diags', 'checksystem', 'bgp']) t.ok(node.includes(c), `node ${c}`)
  t.same((await complete(['--prefix', '/tmp/x', 'node', 'st'])).sort(), ['status', 'stop'], 'options and their values are skipped')
  t.same(await complete(['node', 'run', '--dr']), ['--dryrun'])
  t.same(await complete(['node', 'bgp', 'peer', '']).then((w) => w.filter((x) => !x.startsWith('-'))), ['add', 'remove', 'show'])
})

t.test('an unsupported shell is refused with exit 1', async (t) => {
  const r = await runCli(['completion', 'fish'])
  t.equal(r.code, 1)
  t.match(r.stderr, /^Failed to execute command: completion: shell "fish" is not supported \(supported: bash\)/)
})
