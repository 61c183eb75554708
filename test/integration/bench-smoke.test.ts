/**
 * `npm run bench -- --smoke`: every benchmark runs end to end at tiny sizes (render, parse,
 * the real agent with etcd and BIRD in a namespace) and reports every figure as a finite
 * number; render, parse and converge for BIRD 1.6 and BIRD 2 side by side (BIRD 2 unpacked
 * in .deps/bird2 by scripts/install-bird2.sh), render and converge for GoBGP too (Debian's
 * gobgpd, installed by scripts/install-deps.sh). No timing is asserted: figures are for
 * reading, never for failing a build.
 */
import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { ensureBuilt, REPO_ROOT } from '../helpers/cli.js'
import { requireBird2 } from '../helpers/bird2.js'
import { listNetns } from '../helpers/netns.js'

// Building dist/bench/ on a busy machine takes a while before the (< 1 min) smoke run.
t.setTimeout(600_000)

interface SmokeReport {
  readonly mode: string
  readonly failures: readonly unknown[]
  readonly figures: Record<string, unknown>
  readonly machine: { readonly nproc: unknown; readonly cpuModel: unknown; readonly node: unknown; readonly bird2: unknown }
  readonly phases: {
    readonly render?: { readonly details: { readonly rows: readonly { readonly backend: string; readonly bgpSessions: number; readonly configBytes: number }[] } }
    readonly parse?: { readonly details: { readonly rows: readonly { readonly backend: string; readonly command: string; readonly routes: number }[] } }
    readonly agent?: { readonly details: { readonly converge: { readonly backends: Record<string, { readonly visible: { readonly p50: number } }> } } }
  }
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
  // BIRD 2 beside BIRD 1.6: the same render, parse and converge figures under `<phase>.bird2`
  'render.bird2.n20.mesh.full_ms',
  'render.bird2.n20.mesh.change_cpu_ms',
  'render.bird2.n250.rr.full_ms',
  'render.bird2.n250.rr.sessions',
  'render.bird2.n250.client.change_ms',
  'parse.bird2.show_route.routes_per_s',
  'parse.bird2.show_route.rss_growth_mib',
  'parse.bird2.show_route.birdc_routes_per_s',
  'parse.bird2.show_route_all.routes_per_s',
  'parse.bird2.show_route_all.lines_only_routes_per_s',
  'converge.bird2.visible.p99_ms',
  'converge.bird2.floor.p99_ms',
  'converge.bird2.watch.p50_ms',
  'converge.bird2.configure.p50_ms',
  'converge.bird2.check.p50_ms',
  'converge.bird2.p99_over_floor_p99',
  'converge.probe.p50_ms',
  // GoBGP: render and converge (parse reads BIRD replies only)
  'render.gobgp.n20.mesh.full_ms',
  'render.gobgp.n250.rr.sessions',
  'render.gobgp.n250.client.change_ms',
  'converge.gobgp.visible.p99_ms',
  'converge.gobgp.watch.p50_ms',
  'converge.gobgp.configure.p50_ms',
  'converge.gobgp.check.p50_ms',
  'converge.gobgp.floor.p99_ms',
  'converge.gobgp.probe.p50_ms',
  'converge.gobgp.p99_over_floor_p99',
]

t.test('npm run bench -- --smoke runs every benchmark and reports every figure', async (t) => {
  await ensureBuilt()
  requireBird2()
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
  t.match(report.machine.bird2, /^BIRD version 2\./, 'names the BIRD 2 it ran')

  // The two backends rendered the same topology: the same sessions, each in its own file.
  const renderRows = report.phases.render?.details.rows ?? []
  for (const backend of ['bird1', 'bird2', 'gobgp']) t.equal(renderRows.filter((r) => r.backend === backend).length, 3, `${backend}: a render row per node rendered for`)
  for (const row of renderRows.filter((r) => r.backend === 'bird2' || r.backend === 'gobgp')) {
    const bird1 = renderRows.find((r) => r.backend === 'bird1' && r.bgpSessions === row.bgpSessions)
    t.ok(bird1 !== undefined, `${row.backend} renders as many sessions as BIRD 1.6 (${row.bgpSessions})`)
    t.ok(row.configBytes > 0, `${row.backend} config size reported`)
  }
  // Every route of BIRD 2's replies was read (the client checks the count), for both commands.
  const parseRows = report.phases.parse?.details.rows ?? []
  t.same(
    parseRows.filter((r) => r.backend === 'bird2').map((r) => [r.command, r.routes]),
    [['show route', 20_000], ['show route all', 20_000]],
    'BIRD 2 replies parsed in full',
  )
  t.same(Object.keys(report.phases.agent?.details.converge.backends ?? {}), ['bird1', 'bird2', 'gobgp'], 'converge ran on every backend')
  t.match(r.stdout, /BIRD 1\.6 p50 \| p95 \| p99 \| max \| BIRD 2 p50 \| p95 \| p99 \| max \| GoBGP p50/, 'converge table: the backends side by side')
  t.notOk(parseRows.some((r) => r.backend === 'gobgp'), 'parse: BIRD replies only')
  t.match(r.stdout, /Full, BIRD 1\.6: ms wall \(ms CPU\) \| Full, BIRD 2: ms wall/, 'render table: the backends side by side')
  t.match(r.stdout, /\| `show route` \| BIRD 2 /, 'parse table: a BIRD 2 row')

  // Its own namespace only: another run on the machine (a second CI clone) may have one.
  const ns = /^bench: agent phase in network namespace (fa-bn-[a-z0-9]+)$/m.exec(r.stderr)?.[1]
  t.ok(ns !== undefined, 'the bench names its network namespace')
  t.notOk((await listNetns()).includes(ns ?? ''), `its network namespace ${ns} is gone`)
})
