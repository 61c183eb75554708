/**
 * The client and the parsers against a real BIRD 1.6.8, run in a network namespace this
 * test creates (never in the host's), with its control socket in a temp dir.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { BirdCommandError, BirdControl } from '../../../src/bird/control/index.js'
import {
  parseConfigureReply,
  parseProtocolDetails,
  parseProtocols,
  parseRouteCount,
  parseRouteStream,
  parseRoutes,
  parseStatus,
  type Route,
} from '../../../src/bird/replies/index.js'
import {
  addAddress,
  addDummy,
  createNetns,
  linkUp,
  pollUntil,
  removeStaleNamespaces,
  spawnInNetns,
} from '../../helpers/netns.js'

const BGP = 'Node_10_99_0_9'

function config(dev: string): string {
  return `router id 10.99.0.1;
timeformat route iso long;
protocol device { scan time 10; }
protocol direct direct1 { interface "${dev}"; }
protocol static pod_blocks {
  route 10.99.50.0/24 blackhole;
  route 10.99.51.0/24 unreachable;
  route 10.99.52.0/24 prohibit;
  route 10.99.60.0/24 via 10.99.0.2;
}
protocol bgp ${BGP} {
  local 10.99.0.1 as 64512;
  neighbor 10.99.0.9 as 64512;
  connect delay time 1;
  connect retry time 5;
  error wait time 1, 5;
  import all;
  export none;
}
`
}

t.setTimeout(180_000)

t.test('a live BIRD: status, protocols, routes and configure through the socket', async (t) => {
  await removeStaleNamespaces('bc')
  const dir = await mkdtemp(join(tmpdir(), 'fa-bc-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const ns = await createNetns(t, 'bc')
  const kind = await addDummy(ns, 'ext0')
  await addAddress(ns, 'ext0', '10.99.0.1/24')
  await linkUp(ns, 'ext0')

  const cfg = join(dir, 'bird.conf')
  const sock = join(dir, 'bird.ctl')
  await writeFile(cfg, config('ext0'))
  await execa('bird', ['-p', '-c', cfg]) // a config check opens nothing: fine on the host
  const bird = spawnInNetns(t, ns, 'bird', ['-f', '-c', cfg, '-s', sock, '-P', join(dir, 'bird.pid')])
  await pollUntil('the BIRD socket', () => existsSync(sock) || bird.exitCode !== null, { timeoutMs: 30_000, intervalMs: 50 })
  t.equal(bird.exitCode, null, `bird is running (${kind} link) ${bird.output()}`)

  const ctl = new BirdControl({ socketPath: sock, timeoutMs: 10_000 })
  t.teardown(() => ctl.close())

  // BGP leaves Idle once its connect delay has passed; nothing answers at 10.99.0.9.
  const protocols = await pollUntil('the BGP protocol to try connecting', async () => {
    const rows = parseProtocols((await ctl.request('show protocols')).lines)
    const bgp = rows.find((p) => p.name === BGP)?.bgp
    return bgp !== undefined && (bgp.state === 'Connect' || bgp.state === 'Active') ? rows : undefined
  }, { timeoutMs: 60_000, intervalMs: 250 })

  t.test('show status', async (t) => {
    const status = parseStatus((await ctl.request('show status')).lines)
    t.equal(status.version, '1.6.8')
    t.equal(status.routerId, '10.99.0.1')
    t.equal(status.state, 'running')
    t.equal(status.message, 'Daemon is up and running')
    // The base time format defaults to iso long in BIRD 1.6.
    t.equal(status.serverTime.format, 'datetime')
    t.equal(status.lastReboot.format, 'datetime')
    t.equal(status.lastReconfiguration.format, 'datetime')
    t.equal(ctl.greeting, 'BIRD 1.6.8 ready.')
  })

  t.test('show protocols', async (t) => {
    t.strictSame(protocols.map((p) => [p.name, p.proto, p.table]), [
      ['device1', 'Device', 'master'],
      ['direct1', 'Direct', 'master'],
      ['pod_blocks', 'Static', 'master'],
      [BGP, 'BGP', 'master'],
    ])
    t.strictSame(protocols.slice(0, 3).map((p) => p.state), ['up', 'up', 'up'])
    const bgp = protocols[3]!
    t.equal(bgp.state, 'start')
    t.equal(bgp.since.format, 'time', 'protocols keep the short time format')
    t.ok(bgp.info.startsWith(bgp.bgp!.state))
  })

  t.test('show protocols all', async (t) => {
    const all = parseProtocolDetails((await ctl.request('show protocols all')).lines)
    t.strictSame(all.map((p) => p.name), ['device1', 'direct1', 'pod_blocks', BGP])
    const statics = all[2]!
    t.equal(statics.preference, 200)
    t.equal(statics.inputFilter, 'ACCEPT')
    t.equal(statics.outputFilter, 'REJECT')
    t.strictSame(statics.routes, { imported: 4, filtered: undefined, exported: 0, preferred: 4 })
    t.strictSame(statics.routeChangeStats?.importUpdates, { received: 4, rejected: 0, filtered: 0, ignored: 0, accepted: 4 })
    t.equal(statics.bgpDetails, undefined)

    const [one] = parseProtocolDetails((await ctl.request(`show protocols all ${BGP}`)).lines)
    const details = one!.bgpDetails!
    t.ok(details.state === 'Connect' || details.state === 'Active', `BGP state ${details.state}`)
    t.equal(details.neighborAddress, '10.99.0.9')
    t.equal(details.neighborAs, 64512)
    t.equal(details.neighborId, undefined, 'no session, no neighbor ID')
    t.equal(one!.preference, 100)
    t.equal(one!.inputFilter, 'ACCEPT')
    t.equal(one!.outputFilter, 'REJECT')
  })

  t.test('show route, show route all, show route count, streamed', async (t) => {
    const routes = parseRoutes((await ctl.request('show route')).lines)
    const summary = (r: Route) => {
      const d = r.destination
      return `${r.network} ${d.kind === 'via' ? `via ${d.gateway} on ${d.interface}` : d.kind === 'dev' ? `dev ${d.interface}` : d.kind} ${r.protocol} ${r.placement} ${r.preference}`
    }
    t.strictSame(routes.map(summary).sort(), [
      '10.99.0.0/24 dev ext0 direct1 FIB 240',
      '10.99.50.0/24 blackhole pod_blocks FIB 200',
      '10.99.51.0/24 unreachable pod_blocks FIB 200',
      '10.99.52.0/24 prohibit pod_blocks FIB 200',
      '10.99.60.0/24 via 10.99.0.2 on ext0 pod_blocks FIB 200',
    ])
    for (const r of routes) t.equal(r.since.format, 'datetime', `${r.network}: timeformat route iso long`)

    const all = parseRoutes((await ctl.request('show route all')).lines)
    t.strictSame(all.map((r) => `${r.network} ${r.type?.source} ${r.type?.cast} ${r.type?.scope}`).sort(), [
      '10.99.0.0/24 device unicast univ',
      '10.99.50.0/24 static unicast univ',
      '10.99.51.0/24 static unicast univ',
      '10.99.52.0/24 static unicast univ',
      '10.99.60.0/24 static unicast univ',
    ])

    t.strictSame(parseRouteCount((await ctl.request('show route count')).lines), { shown: 5, total: 5, networks: 5 })

    const streamed: Route[] = []
    for await (const r of parseRouteStream(ctl.stream('show route all'))) streamed.push(r)
    t.strictSame(streamed, all)
  })

  t.test('configure and errors', async (t) => {
    const check = await ctl.request(`configure check "${cfg}"`)
    t.strictSame(parseConfigureReply(check.lines), { outcome: 'config-ok', configFile: cfg, undoScheduledSeconds: undefined })
    const same = await ctl.request(`configure "${cfg}"`)
    t.equal(parseConfigureReply(same.lines).outcome, 'reconfigured')

    const bad = join(dir, 'bad.conf')
    await writeFile(bad, 'router id 10.99.0.1;\nprotocol static {\n  route 10.99.70.0/24 blackhole\n}\n')
    const err = (await t.rejects(ctl.request(`configure check "${bad}"`))) as BirdCommandError
    t.type(err, BirdCommandError)
    t.equal(err.code, 8002)
    const reply = parseConfigureReply(err.lines)
    t.equal(reply.outcome, 'rejected')
    if (reply.outcome === 'rejected') {
      t.equal(reply.configFile, bad)
      t.equal(reply.error.location?.file, bad)
      t.equal(reply.error.location?.line, 4)
      t.equal(reply.error.message, 'syntax error')
    }

    t.equal(((await t.rejects(ctl.request('show protocols "Nothing*"'))) as BirdCommandError).code, 8003)
    t.equal(((await t.rejects(ctl.request('show frobnicate'))) as BirdCommandError).code, 9001)
    t.equal(parseStatus((await ctl.request('show status')).lines).state, 'running', 'still answering')
  })
})
