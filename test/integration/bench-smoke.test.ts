/**
 * `npm run bench -- --smoke`: every benchmark runs end to end at tiny sizes (render, parse,
 * the real agent with etcd and BIRD in a namespace) and reports every figure as a finite
 * number. No timing is asserted: figures are for reading, never for failing a build.
 */
import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { ensureBuilt, REPO_ROOT } from '../helpers/cli.js'
import { listNetns } from '../helpers/netns.js'

// Building dist/bench/ on a busy machine takes a while before the (< 1 min) smoke run.
t.setTimeout(600_000)

interface SmokeReport {
  readonly mode: string
  readonly failures: readonly unknown[]
  readonly figures: Record<string, unknown>
  readonly machine: { readonly nproc: unknown; readonly cpuModel: unknown; readonly node: unknown }
}

/** One figure of each kind the issue asks for (smoke sizes: 20 and 250 nodes). */
const EXPECTED = [
  'cli.node_e0.wall_ms',
  'cli.version.over_node',
  'cli.help.cpu_ms',
  'cli.node_status.peak_mib',
  'cli.birdc.wall_ms',
  'cli.get_nodes.over_node',
  'cli.config_get.over_node',
  'render.n20.mesh.full_ms',
  'render.n20.mesh.change_ms',
  'render.n250.rr.full_ms',
  'render.n250.client.change_ms',
  'render.n250.heap_snapshot_mib',
  'parse.show_route.routes_per_s',
  'parse.show_route.rss_growth_mib',
  'parse.show_route.birdc_routes_per_s',
  'parse.show_route_all.routes_per_s',
  'converge.visible.p99_ms',
  'converge.floor.p99_ms',
  'converge.watch.p50_ms',
  'converge.configure.p50_ms',
  'cold.n250.rr.bird_configured_ms',
  'cold.n250.client.config_written_ms',
  'cold.n250.client.bird_floor_ms',
  'footprint.idle.rss_mean_mib',
  'footprint.idle.cpu_percent',
  'footprint.status.cpu_percent',
  'footprint.floor_loaded.rss_mean_mib',
]

t.test('npm run bench -- --smoke runs every benchmark and reports every figure', async (t) => {
  await ensureBuilt()
  const dir = await mkdtemp(join(tmpdir(), 'fa-bench-smoke-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const out = join(dir, 'smoke.json')

  const r = await execa('npm', ['run', '-s', 'bench', '--', '--smoke', `--out=${out}`], {
    cwd: REPO_ROOT,
    reject: false,
    timeout: 540_000,
    stdin: 'ignore',
  })
  t.equal(r.exitCode, 0, `exit status 0\n${r.stderr.split('\n').slice(-40).join('\n')}`)
  t.match(r.stdout, /^#### CLI/m, 'prints the CLI table')
  t.match(r.stdout, /^#### Render/m, 'prints the render table')
  t.match(r.stdout, /^#### Converge/m, 'prints the converge table')
  t.match(r.stdout, /^#### Parse/m, 'prints the parse table')
  t.match(r.stdout, /^#### Cold start/m, 'prints the cold start table')
  t.match(r.stdout, /^#### Footprint/m, 'prints the footprint table')
  t.match(r.stdout, /^#### Targets/m, 'prints the targets table')

  const report = JSON.parse(await readFile(out, 'utf8')) as SmokeReport
  t.equal(report.mode, 'smoke')
  t.same(report.failures, [], 'no phase failed')
  t.type(report.machine.nproc, 'number', 'names the machine')
  t.type(report.machine.cpuModel, 'string')
  t.type(report.machine.node, 'string')
  const notFinite = Object.entries(report.figures).filter(([, v]) => typeof v !== 'number' || !Number.isFinite(v))
  t.same(notFinite, [], 'every figure is a finite number')
  for (const key of EXPECTED) t.ok(key in report.figures, `reports ${key}`)

  t.same((await listNetns()).filter((n) => n.startsWith('fa-bn-')), [], 'its network namespace is gone')
})
