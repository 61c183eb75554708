// Scenario: Prometheus as operators run it. Debian's prometheus, in the lab's
// infrastructure namespace, scrapes every agent's /metrics on its lab address (the agents
// run with FALCONER_HEALTH_HOST set to it) and loads the shipped alert rules. The queries
// an operator writes return what the lab is: every session up, prefixes flowing; when
// the top-of-rack router goes away, its sessions' series say so on every node.
import t from 'tap'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT } from '../helpers/cli.js'
import { exec, spawnInNetns } from '../helpers/netns.js'
import { startLab, topology, waitMeshRoutes } from '../helpers/lab.js'

const lab = await startLab(t, { name: 'pm', nodes: 2 })
const infra = lab.infra!
const PROM = '127.0.0.1:9090'

const dir = join(lab.dir, 'prometheus')
await mkdir(join(dir, 'data'), { recursive: true })
const targets = lab.nodes.map((n) => `'${n.plan.ipv4}:9099'`).join(', ')
await writeFile(
  join(dir, 'prometheus.yml'),
  `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${join(REPO_ROOT, 'contrib/prometheus/falconer-rules.yml')}
scrape_configs:
  - job_name: falconer
    static_configs:
      - targets: [${targets}]
`,
)
const prometheus = spawnInNetns(t, infra, 'prometheus', [
  `--config.file=${join(dir, 'prometheus.yml')}`,
  `--storage.tsdb.path=${join(dir, 'data')}`,
  `--web.listen-address=${PROM}`,
])

interface Sample {
  readonly metric: Record<string, string>
  readonly value: [number, string]
}

/** The Prometheus HTTP API from inside the infrastructure namespace (where it listens). */
async function api(path: string): Promise<unknown> {
  const script = `fetch('http://${PROM}' + process.argv[1]).then(async (r) => process.stdout.write(await r.text())).catch((e) => { console.error(e.message); process.exit(1) })`
  const r = await exec(infra, process.execPath, ['-e', script, path], { reject: false, timeoutMs: 20_000 })
  if (r.exitCode !== 0) return undefined
  return JSON.parse(r.stdout) as unknown
}

async function query(expr: string): Promise<Sample[] | undefined> {
  const body = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { status: string; data?: { result: Sample[] } } | undefined
  return body?.status === 'success' ? body.data!.result : undefined
}

const value = (s: Sample) => Number(s.value[1])
/** 2 nodes × (mesh + ToR) × (IPv4 + IPv6). */
const SESSIONS = lab.nodes.length * 2 * 2

t.test('Prometheus scrapes every agent and loads the rules', async (t) => {
  const up = await lab.waitFor('both agents scraped', async () => {
    const r = await query('up{job="falconer"}')
    return r && r.length === lab.nodes.length && r.every((s) => value(s) === 1) ? r : undefined
  }, 60_000, 1_000)
  t.same(up.map((s) => s.metric.instance).sort(), lab.nodes.map((n) => `${n.plan.ipv4}:9099`).sort())
  const rules = (await api('/api/v1/rules')) as { data: { groups: { name: string; rules: { name: string; health: string }[] }[] } }
  const group = rules.data.groups.find((g) => g.name === 'falconer')
  t.equal(group?.rules.length, 6, 'every shipped rule loaded')
  t.ok(group?.rules.every((r) => r.health === 'ok'), group?.rules.map((r) => `${r.name}: ${r.health}`).join(', ') ?? '')
  t.equal(prometheus.exitCode, null, 'prometheus runs')
})

t.test("an operator's queries: every session up, prefixes > 0, daemons up, in sync, config current", async (t) => {
  await waitMeshRoutes(lab)
  const sessions = await lab.waitFor('every session up with prefixes in the scrape', async () => {
    const r = await query('falconer_bgp_session_up == 1')
    const imported = await query('falconer_bgp_session_prefixes_imported{type="NodeMesh"} > 0')
    return r?.length === SESSIONS && imported?.length === lab.nodes.length * 2 ? r : undefined
  }, 90_000, 1_000)
  t.equal(sessions.length, SESSIONS, 'count(falconer_bgp_session_up == 1)')
  t.same((await query('min(falconer_bgp_session_up)'))?.map(value), [1])
  t.same((await query('falconer_bgp_session_state != 6')), [], 'every state series is 6 (Established)')
  t.ok((await query('min(falconer_bgp_session_prefixes_imported{type="NodeMesh"})'))!.every((s) => value(s) > 0), 'mesh peers import prefixes')
  t.ok((await query('min(falconer_bgp_session_prefixes_exported)'))!.every((s) => value(s) > 0), 'every session exports prefixes')
  t.ok((await query('min(falconer_bgp_session_uptime_seconds)'))!.every((s) => value(s) > 0), 'uptime counts')
  t.same((await query('falconer_bird_up'))?.map(value), [1, 1, 1, 1], 'bird and bird6 up on both nodes')
  t.same((await query('falconer_datastore_synced'))?.map(value), [1, 1])
  t.same(await query('falconer_config_applied_revision < on(instance, job) group_left() falconer_datastore_revision'), [], 'configs are current')
  t.ok((await query('sum(falconer_config_applies_total)'))!.every((s) => value(s) >= 2), 'applies counted')
})

t.test('after the ToR goes away, its sessions\' series change on every node', async (t) => {
  const tor = `peer=~"${topology.TOR_V4}|${topology.TOR_V6}"`
  await lab.stopTor()
  const down = await lab.waitFor('the ToR sessions down in the scrape', async () => {
    const r = await query(`falconer_bgp_session_up{${tor}} == 0`)
    return r?.length === lab.nodes.length * 2 ? r : undefined
  }, 90_000, 1_000)
  t.same(down.map((s) => s.metric.type), ['GlobalPeer', 'GlobalPeer', 'GlobalPeer', 'GlobalPeer'])
  t.same(await query(`falconer_bgp_session_state{${tor}} == 6`), [], 'no ToR state series is Established')
  const changes = await query(`falconer_bgp_session_state_changes_total{${tor}} > 0`)
  t.equal(changes?.length, lab.nodes.length * 2, 'each ToR session counted a state change')
  t.same((await query('falconer_bgp_session_up{type="NodeMesh"}'))?.map(value), [1, 1, 1, 1], 'the mesh stays up')
})
