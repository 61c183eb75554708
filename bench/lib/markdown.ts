import { BACKEND_LABEL, BENCH_BACKENDS, figurePrefix, type BenchBackend } from './backends.js'
import type { PhaseResult } from './phase.js'
import type { AgentDetails, CliDetails, ParseDetails, RenderDetails, Report } from './report.js'

/** The report as the markdown tables of bench/README.md. */
export function renderMarkdown(r: Report): string {
  const out: string[] = []
  const m = r.machine
  out.push(
    `Measured ${r.date.slice(0, 10)} (${r.mode} run) on ${m.nproc} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, ` +
      `node ${m.node}, ${m.bird}, ${m.bird2 ?? 'no BIRD 2'}, ${m.gobgpd ?? 'gobgpd not named'}, ${m.etcd}. Load average (1/5/15 min): ${load(r.load.start)} at the start, ${load(r.load.end)} at the end.`,
  )
  if (r.failures.length > 0) {
    out.push('', '**Failed phases:**', '', ...r.failures.map((f) => `- ${f.phase}: ${f.message}`))
  }
  const cli = r.phases.cli
  if (cli) out.push('', ...cliSection(cli))
  const render = r.phases.render
  if (render) out.push('', ...renderSection(render))
  const agent = r.phases.agent
  if (agent) out.push('', ...convergeSection(agent))
  const parse = r.phases.parse
  if (parse) out.push('', ...parseSection(parse))
  if (agent) out.push('', ...coldSection(agent), '', ...footprintSection(agent))
  out.push('', ...targetsSection(r))
  return `${out.join('\n')}\n`
}

const load = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' / ')
const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—')
const fix = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—')
const phaseLoad = (p: PhaseResult): string => `load ${load(p.load.start)} → ${load(p.load.end)}`

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)]
}

function cliSection(p: PhaseResult): string[] {
  const d = p.details as CliDetails
  const floor = d.rows.find((row) => row.key === 'node_e0')
  const ratio = (x: number) => (floor === undefined ? '—' : `${fix(x / floor.wallMs, 2)}×`)
  return [
    `#### CLI: whole process, median of ${p.figures['cli.runs'] ?? '?'} interleaved runs (${phaseLoad(p)})`,
    '',
    ...table(
      ['Command', 'wall (ms)', '× `node -e 0`', 'goal', 'CPU (ms)', 'peak RSS (MiB)'],
      d.rows.map((row) => [
        row.label,
        fix(row.wallMs),
        ratio(row.wallMs),
        row.goal === undefined ? '—' : `≤ ${row.goal.ratio}×${row.goal.peakMiB !== undefined ? `, ≤ ${row.goal.peakMiB} MiB` : ''}`,
        fix(row.cpuMs),
        fix(row.peakMiB),
      ]),
    ),
  ]
}

/** The backends present in `rows`, in column order. */
function backendsOf(rows: readonly { readonly backend?: BenchBackend }[]): BenchBackend[] {
  return BENCH_BACKENDS.filter((b) => rows.some((r) => (r.backend ?? 'bird1') === b))
}

function renderSection(p: PhaseResult): string[] {
  const d = p.details as RenderDetails
  const backends = backendsOf(d.rows)
  const label = (b: BenchBackend) => BACKEND_LABEL[b]
  // One line per node rendered for, one column per backend (rows of older reports are BIRD 1.6's).
  const groups = new Map<string, RenderDetails['rows'][number][]>()
  for (const row of d.rows) {
    const k = `${row.nodes}/${row.node}`
    groups.set(k, [...(groups.get(k) ?? []), row])
  }
  const of = (rows: RenderDetails['rows'], b: BenchBackend) => rows.find((r) => (r.backend ?? 'bird1') === b)
  const cell = (row: RenderDetails['rows'][number] | undefined, wall: 'fullMs' | 'changeMs', cpu: 'fullCpuMs' | 'changeCpuMs') =>
    row === undefined ? '—' : `${fix(row[wall])} (${fix(row[cpu])})`
  return [
    `#### Render: snapshot → intent → the daemon's config text (in-process on dist/; ${phaseLoad(p)})`,
    '',
    ...table(
      [
        'Nodes',
        'Topology',
        'Rendered for',
        'BGP sessions',
        ...backends.map((b) => `Full, ${label(b)}: ms wall (ms CPU)`),
        ...backends.map((b) => `After one change, ${label(b)}: ms wall (ms CPU)`),
        `Config size, ${backends.map(label).join(' / ')} (KiB)`,
        `Heap: snapshot / with render caches, ${backends.map(label).join(' / ')} (MiB)`,
      ],
      [...groups.values()].map((rows) => {
        const first = rows[0]!
        const size = d.sizes.find((s) => s.nodes === first.nodes)
        return [
          int(first.nodes),
          first.topology,
          `${first.role} (${first.node})`,
          backends.map((b) => int(of(rows, b)?.bgpSessions ?? Number.NaN)).join(' / '),
          ...backends.map((b) => cell(of(rows, b), 'fullMs', 'fullCpuMs')),
          ...backends.map((b) => cell(of(rows, b), 'changeMs', 'changeCpuMs')),
          backends.map((b) => fix((of(rows, b)?.configBytes ?? Number.NaN) / 1024)).join(' / '),
          `${fix(size?.heapSnapshotMiB ?? Number.NaN)} / ${backends.map((b) => fix(of(rows, b)?.heapRenderMiB ?? Number.NaN)).join(' / ')}`,
        ]
      }),
    ),
    '',
    `Datastores: ${d.sizes.map((s) => `${int(s.nodes)} nodes + ${int(s.peers)} BGPPeers + ${int(s.blocks)} blocks`).join('; ')}. ` +
      `Decoding the stored values into a Snapshot (the syncer's initial list, not part of the figures above): ` +
      `${d.sizes.map((s) => `${fix(s.decodeMs, 0)} ms at ${int(s.nodes)} nodes`).join(', ')}. ` +
      'BGP sessions and config size: BIRD 1.6 counts bird.cfg (IPv4; these nodes have no IPv6 address), BIRD 2 its one file, GoBGP its one gobgpd.toml (`[[neighbors]]`).',
  ]
}

function convergeSection(p: PhaseResult): string[] {
  const d = (p.details as AgentDetails).converge
  const f = p.figures
  const backends = BENCH_BACKENDS.filter((b) => d.backends[b] !== undefined)
  const row = (label: string, pick: 'visible' | 'watch' | 'configure' | 'floor' | 'check' | 'probe', digits = 1) => [
    label,
    ...backends.flatMap((b) => {
      const s = d.backends[b]?.[pick]
      return s === undefined ? ['—', '—', '—', '—'] : [fix(s.p50, digits), fix(s.p95, digits), fix(s.p99, digits), fix(s.max, digits)]
    }),
  ]
  const gobgp = backends.includes('gobgp')
  const bird = backends.some((b) => b !== 'gobgp')
  const either = (b: string, g: string) => (bird && gobgp ? `${b}; ${g}` : gobgp ? g : b)
  return [
    `#### Converge: etcd write of a BGPPeer (a new peerIP) → the new peer listed by the daemon (${either("BIRD's `show protocols`", "gobgpd's ListPeer")}) (${int(d.nodes)} nodes, ${d.topology}, real agent as ${d.node}; ${int(f['converge.changes'] ?? Number.NaN)} changes per backend, one fresh agent after the other; ${phaseLoad(p)})`,
    '',
    ...table(
      ['ms', ...backends.flatMap((b) => [`${BACKEND_LABEL[b]} p50`, 'p95', 'p99', 'max'])],
      [
        row(`**falconer**: write → visible in ${either('BIRD', 'gobgpd')}`, 'visible'),
        row('floor: write → etcd watch event', 'watch'),
        row(`floor: ${either('BIRD `configure` of the same file', "gobgpd: the bench's own gobgpd given the same file, SIGHUP → new neighbor listed")}`, 'configure'),
        row(
          either(
            "`bird -p` of the same file (not in BIRD's floor: the agent checks through the running BIRD's `configure check`)",
            "`gobgpd -d` of the same file (in GoBGP's floor: the agent runs this check before every apply)",
          ),
          'check',
        ),
        row(`**floor**: sum, per change (${either('BIRD: watch + configure', 'GoBGP: watch + SIGHUP → listed + `gobgpd -d`')})`, 'floor'),
        row(`the visibility probe itself, once listed (${either('`show protocols "NAME"` on the control socket', 'ListPeer over the gRPC socket')})`, 'probe', 2),
      ],
    ),
    '',
    `p99 / floor p99: ${backends.map((b) => `${BACKEND_LABEL[b]} ${fix(f[`${figurePrefix('converge', b)}.p99_over_floor_p99`] ?? Number.NaN, 2)}×`).join(', ')}. Visibility is polled every ${int(f['converge.poll_ms'] ?? Number.NaN)} ms.`,
  ]
}

function parseSection(p: PhaseResult): string[] {
  const d = p.details as ParseDetails
  const rows = [...d.rows].sort((a, b) => a.command.localeCompare(b.command) || BENCH_BACKENDS.indexOf(a.backend ?? 'bird1') - BENCH_BACKENDS.indexOf(b.backend ?? 'bird1'))
  return [
    `#### Parse: replayed \`show route\` replies, served by a separate process in each daemon's wire format (${phaseLoad(p)})`,
    '',
    ...table(
      ['Reply', 'Daemon (falconer reads with)', 'Routes', 'falconer: routes/s', 'per CPU-second', 'RSS growth (MiB)', 'framing only: routes/s', "floor: the daemon's `birdc` → /dev/null: routes/s"],
      rows.map((row) => [
        `\`${row.command}\``,
        (row.backend ?? 'bird1') === 'bird2' ? 'BIRD 2 (stream + BIRD 2 parseRouteStream)' : 'BIRD 1.6 (streamBatches + parseRouteBatches)',
        int(row.routes),
        int(row.parseRoutesPerSecond),
        int(row.routes / row.parseCpuSeconds),
        fix(row.rssGrowthMiB),
        int(row.linesRoutesPerSecond),
        int(row.birdcRoutesPerSecond),
      ]),
    ),
  ]
}

function coldSection(p: PhaseResult): string[] {
  const d = (p.details as AgentDetails).coldStart
  return [
    `#### Cold start: \`falconer node run --init-system\` process start → BIRD running the rendered config (${int(d.nodes)} nodes, ${d.topology}; medians of ${d.roles[0]?.runs.length ?? 0} runs)`,
    '',
    ...table(
      ['Node', 'BGP sessions', 'bird.cfg written (ms)', "the agent's CPU by then (ms)", '"started successfully" (ms)', 'BIRD running exactly that config (ms)', 'floor: `bird -f` on the same file (ms)', 'same, BIRD logging to a file (ms)'],
      d.roles.map((r) => [
        `${r.role} (${r.node})`,
        int(r.runs[0]?.bgpProtocols ?? Number.NaN),
        int(med(r.runs.map((x) => x.configWrittenMs))),
        int(med(r.runs.map((x) => x.configCpuMs ?? Number.NaN))),
        int(med(r.runs.map((x) => x.readyMs))),
        int(med(r.runs.map((x) => x.birdConfiguredMs))),
        int(r.birdFloorMs),
        int(r.birdFloorFileLogMs),
      ]),
    ),
    '',
    `Floor under the first step: \`node\` loading the agent's code (dist/cli/main.js) and exiting takes ${int(d.codeLoadMs)} ms. ` +
      'The rendered bird.cfg logs to stderr (forwarded into the agent log); the last column is BIRD on the same file with ' +
      '`log "FILE" all;` added. (Before the templates said `log stderr all;`, BIRD fell back to syslog(3), which with no ' +
      '/dev/log writes every message to /dev/console: 8.3 s for this start.)',
  ]
}

function footprintSection(p: PhaseResult): string[] {
  const d = (p.details as AgentDetails).footprint
  const row = (label: string, f: AgentDetails['footprint']['idle']) => [
    label,
    `${fix(f.rssMeanMiB)} / ${fix(f.rssMaxMiB)}`,
    `${fix(f.rssAnonMiB)} / ${fix(f.rssFileMiB)}`,
    `${fix(f.cpuPercent, 2)} (${fix(f.systemCpuPercent, 2)})`,
    fix(f.birdRssMiB),
  ]
  const nodes = (p.details as AgentDetails).converge.nodes
  return [
    `#### Footprint: the agent process (node), ${int(nodes)}-node datastore, after the converge run (${BACKEND_LABEL[d.backend ?? 'bird1']})`,
    '',
    ...table(
      ['Process', 'RSS mean / max (MiB)', 'of which anonymous / file-backed (MiB)', 'CPU, % of one core (of which kernel)', `its ${d.backend === 'gobgp' ? 'gobgpd' : 'BIRD'}: RSS (MiB)`],
      [
        row(`**agent**, idle, ${fix(d.idle.seconds, 0)} s`, d.idle),
        row(`**agent**, a CalicoNodeStatus every ${d.statusPeriodSeconds} s, ${fix(d.status.seconds, 0)} s (${d.statusUpdates} status writes)`, d.status),
        row(`floor: bare \`node\` idling, ${fix(d.floors.bare.seconds, 0)} s`, d.floors.bare),
        row('floor: `node` with the `etcd3` client library loaded, idling', d.floors.etcd3),
        row("floor: `node` with the agent's code loaded (dist/cli/main.js), idling", d.floors.loaded),
      ],
    ),
  ]
}

function med(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function targetsSection(r: Report): string[] {
  const f = r.figures
  const rows: string[][] = []
  const add = (target: string, measured: string, met: boolean | undefined) => rows.push([target, measured, met === undefined ? '—' : met ? 'yes' : '**no**'])
  const has = (k: string) => Number.isFinite(f[k])
  const v = (k: string) => f[k] ?? Number.NaN

  const cliRows = (r.phases.cli?.details as CliDetails | undefined)?.rows ?? []
  for (const row of cliRows) {
    if (row.goal === undefined) continue
    const over = v(`cli.${row.key}.over_node`)
    const peakOk = row.goal.peakMiB === undefined || row.peakMiB <= row.goal.peakMiB
    add(
      `${row.label} ≤ ${row.goal.ratio}× \`node -e 0\`${row.goal.peakMiB !== undefined ? `, peak ≤ ${row.goal.peakMiB} MiB` : ''}`,
      `${fix(over, 2)}× (${fix(row.wallMs)} ms; \`node -e 0\` ${fix(v('cli.node_e0.wall_ms'))} ms)${row.goal.peakMiB !== undefined ? `, peak ${fix(row.peakMiB)} MiB` : ''}`,
      over <= row.goal.ratio && peakOk,
    )
  }

  const big = Math.max(...(r.config.render.sizes as number[]))
  for (const b of BENCH_BACKENDS) {
    const k = `${figurePrefix('render', b)}.n${big}`
    if (!has(`${k}.rr.full_ms`)) continue
    add(
      `render, ${int(big)}-node topology < 200 ms (${BACKEND_LABEL[b]})`,
      `route reflector ${fix(v(`${k}.rr.full_ms`))} ms (CPU ${fix(v(`${k}.rr.full_cpu_ms`))}); client ${fix(v(`${k}.client.full_ms`))} ms; after one change: RR ${fix(v(`${k}.rr.change_ms`))}, client ${fix(v(`${k}.client.change_ms`))} ms`,
      v(`${k}.rr.full_ms`) < 200,
    )
  }
  for (const b of BENCH_BACKENDS) {
    const k = figurePrefix('converge', b)
    if (!has(`${k}.visible.p99_ms`)) continue
    const n = int(v('converge.nodes'))
    add(`change → ${b === 'gobgp' ? 'gobgpd' : 'BIRD'} reconfigured, p99 ≤ 100 ms at ${n} nodes (${BACKEND_LABEL[b]})`, `p99 ${fix(v(`${k}.visible.p99_ms`))} ms (p50 ${fix(v(`${k}.visible.p50_ms`))})`, v(`${k}.visible.p99_ms`) <= 100)
    add('… and within 3× the floor', `floor p99 ${fix(v(`${k}.floor.p99_ms`))} ms → ${fix(v(`${k}.p99_over_floor_p99`), 2)}×`, v(`${k}.p99_over_floor_p99`) <= 3)
  }
  for (const b of BENCH_BACKENDS) {
    const k = figurePrefix('parse', b)
    if (!has(`${k}.show_route.routes_per_s`)) continue
    add(`\`show route\` parsing ≥ 1M routes/s (${BACKEND_LABEL[b]})`, `${int(v(`${k}.show_route.routes_per_s`))} routes/s (birdc: ${int(v(`${k}.show_route.birdc_routes_per_s`))})`, v(`${k}.show_route.routes_per_s`) >= 1_000_000)
    add('… with RSS growth < 50 MB', `${fix(v(`${k}.show_route.rss_growth_mib`))} MiB (\`all\`: ${fix(v(`${k}.show_route_all.rss_growth_mib`))} MiB)`, v(`${k}.show_route.rss_growth_mib`) * 1.048576 < 50)
  }
  const cold = Object.keys(f).filter((k) => k.startsWith('cold.') && k.endsWith('.bird_configured_ms'))
  if (cold.length > 0) {
    const worst = Math.max(...cold.map(v))
    add(
      `cold start ≤ 2 s at ${int(r.config.agent.coldNodes)} nodes`,
      cold
        .map((k) => {
          const base = k.slice(0, -'.bird_configured_ms'.length)
          return `${k.split('.')[2]} ${int(v(k))} ms (bird.cfg at ${int(v(`${base}.config_written_ms`))}; BIRD alone on that file ${int(v(`${base}.bird_floor_ms`))}, logging to a file ${int(v(`${base}.bird_floor_file_log_ms`))})`
        })
        .join('; '),
      worst <= 2_000,
    )
  }
  if (has('footprint.idle.rss_mean_mib')) {
    add('idle RSS ≤ 80 MB', `${fix(v('footprint.idle.rss_mean_mib'))} MiB mean, ${fix(v('footprint.idle.rss_max_mib'))} max`, v('footprint.idle.rss_max_mib') * 1.048576 <= 80)
    add('idle CPU < 1 %', `${fix(v('footprint.idle.cpu_percent'), 2)} % (with CalicoNodeStatus: ${fix(v('footprint.status.cpu_percent'), 2)} %)`, v('footprint.idle.cpu_percent') < 1)
  }
  return ['#### Targets', '', ...table(['Target', 'Measured', 'Met'], rows)]
}
