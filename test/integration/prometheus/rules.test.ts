/**
 * The alert rules shipped in contrib/prometheus: promtool accepts them, their unit tests
 * pass, and every falconer metric they query is one the agent exports (a renamed metric
 * would otherwise leave an alert that can never fire).
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { StatusMetrics } from '../../../src/status/metrics.js'
import { REPO_ROOT } from '../../helpers/cli.js'

const DIR = join(REPO_ROOT, 'contrib/prometheus')

t.test('promtool check rules', async (t) => {
  const r = await execa('promtool', ['check', 'rules', 'falconer-rules.yml'], { cwd: DIR, reject: false })
  t.equal(r.exitCode, 0, r.stdout + r.stderr)
  t.match(r.stdout, /SUCCESS: 6 rules found/)
})

t.test('promtool test rules', async (t) => {
  const r = await execa('promtool', ['test', 'rules', 'falconer-rules.test.yml'], { cwd: DIR, reject: false })
  t.equal(r.exitCode, 0, r.stdout + r.stderr)
  t.match(r.stdout, /SUCCESS/)
})

t.test('every metric the rules query is exported by the agent', async (t) => {
  const rules = await readFile(join(DIR, 'falconer-rules.yml'), 'utf8')
  const queried = new Set([...rules.matchAll(/^\s+expr: (.*)$/gm)].flatMap((m) => [...m[1]!.matchAll(/\bfalconer_[a-z0-9_]+/g)].map((x) => x[0])))
  const exported = new Set((await new StatusMetrics().registry.getMetricsAsJSON()).map((m) => m.name))
  t.ok(queried.size >= 6, [...queried].join(', '))
  for (const name of queried) t.ok(exported.has(name), `${name} is exported`)
})
