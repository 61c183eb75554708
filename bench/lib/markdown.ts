import type { PhaseResult } from './phase.js'
import type { AgentDetails, CliDetails, ParseDetails, RenderDetails, Report } from './report.js'

/** The report as the markdown tables of bench/README.md. */
export function renderMarkdown(r: Report): string {
  const out: string[] = []
  const m = r.machine
  out.push(
    `Measured ${r.date.slice(0, 10)} (${r.mode} run) on ${m.nproc} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, ` +
      `node ${m.node}, ${m.bird}, ${m.etcd}. Load average (1/5/15 min): ${load(r.load.start)} at the start, ${load(r.load.end)} at the end.`,
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

function renderSection(p: PhaseResult): string[] {
  const d = p.details as RenderDetails
  return [
    `#### Render: snapshot → intent → bird.cfg text (in-process on dist/; ${phaseLoad(p)})`,
    '',
    ...table(
      ['Nodes', 'Topology', 'Rendered for', 'BGP sessions', 'Full: ms wall (ms CPU)', 'After one change: ms wall (ms CPU)', 'Heap: snapshot / with render caches (MiB)'],
      d.rows.map((row) => {
        const size = d.sizes.find((s) => s.nodes === row.nodes)
        return [
          int(row.nodes),
          row.topology,
          `${row.role} (${row.node})`,
          int(row.bgpSessions),
          `${fix(row.fullMs)} (${fix(row.fullCpuMs)})`,
          `${fix(row.changeMs)} (${fix(row.changeCpuMs)})`,
          `${fix(size?.heapSnapshotMiB ?? Number.NaN)} / ${fix(row.heapRenderMiB)}`,
        ]
      }),
    ),
    '',
    `Datastores: ${d.sizes.map((s) => `${int(s.nodes)} nodes + ${int(s.peers)} BGPPeers + ${int(s.blocks)} blocks`).join('; ')}. ` +
      `Decoding the stored values into a Snapshot (the syncer's initial list, not part of the figures above): ` +
      `${d.sizes.map((s) => `${fix(s.decodeMs, 0)} ms at ${int(s.nodes)} nodes`).join(', ')}.`,
  ]
}

function convergeSection(p: PhaseResult): string[] {
  const d = (p.details as AgentDetails).converge
  const f = p.figures
  const row = (label: string, s: { p50: number; p95: number; p99: number; max: number }) => [label, fix(s.p50), fix(s.p95), fix(s.p99), fix(s.max)]
  return [
    `#### Converge: etcd write of a BGPPeer (a new peerIP) → its new protocol in BIRD's \`show protocols\` (${int(d.nodes)} nodes, ${d.topology}, real agent as ${d.node}; ${int(f['converge.changes'] ?? Number.NaN)} changes; ${phaseLoad(p)})`,
    '',
    ...table(
      ['ms', 'p50', 'p95', 'p99', 'max'],
      [
        row('**falconer**: write → visible in BIRD', d.visible),
        row('floor: write → etcd watch event', d.watch),
        row('floor: BIRD `configure` of the same file', d.configure),
        row('**floor**: sum, per change', d.floor),
        row('`bird -p` of the same file (falconer checks before it renames, invariant 2 in docs/design.md)', d.check),
      ],
    ),
    '',
    `p99 / floor p99 = ${fix(f['converge.p99_over_floor_p99'] ?? Number.NaN, 2)}×. Visibility is polled every ${int(f['converge.poll_ms'] ?? Number.NaN)} ms.`,
  ]
}

function parseSection(p: PhaseResult): string[] {
  const d = p.details as ParseDetails
  return [
    `#### Parse: replayed \`show route\` replies, served by a separate process (${phaseLoad(p)})`,
    '',
    ...table(
      ['Reply', 'Routes', 'falconer (streamBatches + parseRouteBatches): routes/s', 'per CPU-second', 'RSS growth (MiB)', 'framing only: routes/s', 'floor: `birdc` → /dev/null: routes/s'],
      d.rows.map((row) => [
        `\`${row.command}\``,
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
      ['Node', 'BGP sessions', 'bird.cfg written (ms)', '"started successfully" (ms)', 'BIRD running exactly that config (ms)', 'floor: `bird -f` on the same file (ms)', 'same, BIRD logging to a file (ms)'],
      d.roles.map((r) => [
        `${r.role} (${r.node})`,
        int(r.runs[0]?.bgpProtocols ?? Number.NaN),
        int(med(r.runs.map((x) => x.configWrittenMs))),
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
    `#### Footprint: the agent process (node), ${int(nodes)}-node datastore, after the converge run`,
    '',
    ...table(
      ['Process', 'RSS mean / max (MiB)', 'of which anonymous / file-backed (MiB)', 'CPU, % of one core (of which kernel)', 'its BIRD: RSS (MiB)'],
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
  const rrFull = `render.n${big}.rr.full_ms`
  if (has(rrFull)) {
    add(
      `render, ${int(big)}-node topology < 200 ms`,
      `route reflector ${fix(v(rrFull))} ms (CPU ${fix(v(`render.n${big}.rr.full_cpu_ms`))}); client ${fix(v(`render.n${big}.client.full_ms`))} ms; after one change: RR ${fix(v(`render.n${big}.rr.change_ms`))}, client ${fix(v(`render.n${big}.client.change_ms`))} ms`,
      v(rrFull) < 200,
    )
  }
  if (has('converge.visible.p99_ms')) {
    const n = int(v('converge.nodes'))
    add(`change → BIRD reconfigured, p99 ≤ 100 ms at ${n} nodes`, `p99 ${fix(v('converge.visible.p99_ms'))} ms (p50 ${fix(v('converge.visible.p50_ms'))})`, v('converge.visible.p99_ms') <= 100)
    add('… and within 3× the floor', `floor p99 ${fix(v('converge.floor.p99_ms'))} ms → ${fix(v('converge.p99_over_floor_p99'), 2)}×`, v('converge.p99_over_floor_p99') <= 3)
  }
  if (has('parse.show_route.routes_per_s')) {
    add('`show route` parsing ≥ 1M routes/s', `${int(v('parse.show_route.routes_per_s'))} routes/s (birdc: ${int(v('parse.show_route.birdc_routes_per_s'))})`, v('parse.show_route.routes_per_s') >= 1_000_000)
    add('… with RSS growth < 50 MB', `${fix(v('parse.show_route.rss_growth_mib'))} MiB (\`all\`: ${fix(v('parse.show_route_all.rss_growth_mib'))} MiB)`, v('parse.show_route.rss_growth_mib') * 1.048576 < 50)
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
