// Scenario: Prometheus as operators run it. Debian's prometheus, in the lab's
// infrastructure namespace, scrapes every agent's /metrics on its lab address (the agents
// run with FALCONER_HEALTH_HOST set to it) and loads the shipped alert rules. The queries
// an operator writes return what the lab is: every session up, prefixes flowing; when
// the top-of-rack router goes away, its sessions' series say so on every node.
// The same lab runs `node diags` (with a BGP password in play, which must not leave the
// host) and `node checksystem` on a node.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../helpers/cli.js'
import { exec, spawnInNetns } from '../helpers/netns.js'
import { startLab, topology, waitMeshRoutes } from '../helpers/lab.js'

// A lab, a Prometheus, diags and a ToR outage: more than the default file timeout when loaded.
t.setTimeout(600_000)
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

t.test('node diags: one archive with configs, BIRD replies, log, resources, versions, routes; no secret in it', async (t) => {
  const n1 = lab.nodes[0]!
  const SECRET = 'diags-Secret-7f3a9c'
  await mkdir(join(n1.prefix, 'etc/calico/secrets/bgp-secrets'), { recursive: true })
  await writeFile(join(n1.prefix, 'etc/calico/secrets/bgp-secrets/diags'), SECRET, { mode: 0o600 })
  await lab.apply('diags-peer.yaml', `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: diags-peer
spec:
  node: ${n1.name}
  peerIP: 10.99.0.3
  asNumber: 65003
  password:
    secretKeyRef:
      name: bgp-secrets
      key: diags
`)
  await lab.waitFor('the password in bird.cfg', async () => (await readFile(n1.birdConfig, 'utf8')).includes(SECRET), 60_000, 500)

  const out = await mkdtemp(join(tmpdir(), 'falconer-diags-test-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const r = await lab.falconer(n1, ['node', 'diags', '--output-dir', out, '--log-file', n1.log])
  t.equal(r.code, 0, r.stderr)
  const m = /^Diags saved to (\S+\.tar\.gz)$/m.exec(r.stdout)
  t.ok(m, r.stdout)
  const archive = m![1]!
  t.comment(r.stdout.trim())
  const x = join(out, 'x')
  await mkdir(x)
  execFileSync('tar', ['-xzf', archive, '-C', x])
  const [top] = await readdir(x)
  t.match(top, new RegExp(`^falconer-diags-${n1.name}-`))
  const base = join(x, top!)
  const files = (await readdir(base, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(base.length + 1)).sort()
  t.comment(files.join('\n'))
  for (const f of [
    'config/bird.cfg', 'config/bird6.cfg', 'bird/bird-status.txt', 'bird/bird-protocols-all.txt', 'bird/bird-route-count.txt',
    'bird/bird-memory.txt', 'bird/bird6-protocols-all.txt', 'log/falconer.log', `datastore/nodes/${n1.name}.json`,
    'datastore/bgppeers/diags-peer.json', 'system/versions.txt', 'system/ip-route-v4.txt', 'system/ip-route-v6.txt',
  ]) t.ok(files.includes(f), `archive has ${f}`)
  for (const f of files) {
    t.notOk((await readFile(join(base, f), 'utf8')).includes(SECRET), `${f} does not hold the secret`)
  }
  const text = (f: string) => readFile(join(base, f), 'utf8')
  t.match(await text('config/bird.cfg'), /password "<redacted>";/, 'the password line is there, its value is not')
  t.match(await text('bird/bird-protocols-all.txt'), /Mesh_10_99_0_\d+[\s\S]*Established/)
  t.match(await text('bird/bird-status.txt'), /BIRD 1\.6\.8/)
  t.match(await text('bird/bird-route-count.txt'), /\d+ of \d+ routes/)
  t.match(await text('bird/bird-memory.txt'), /Total:/)
  t.match(await text('log/falconer.log'), /Calico node started successfully/)
  t.match(await text('datastore/bgppeers/diags-peer.json'), /"secretKeyRef"/)
  t.match(await text('system/versions.txt'), /^falconer \d+\.\d+\.\d+$/m)
  t.match(await text('system/ip-route-v4.txt'), /proto bird/, 'host routes, BIRD\'s among them')
})

t.test('node checksystem on a lab node: every check ok', async (t) => {
  const r = await lab.falconer(lab.nodes[0]!, ['node', 'checksystem'])
  t.comment(r.stdout)
  const lines = r.stdout.split('\n').filter((l) => /^(ok|warning|problem) /.test(l))
  for (const name of ['BGP daemon', 'IPv4 forwarding', 'IPv6 forwarding', 'capabilities', 'etcd', 'clock', 'Node.js']) {
    t.ok(lines.some((l) => l.startsWith(`ok      ${name}: `)), `${name} ok`)
  }
  t.ok(lines.some((l) => / host BIRD service: /.test(l)), 'the host bird.service check ran')
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.stdout, /System meets the requirements to run falconer\./)
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
