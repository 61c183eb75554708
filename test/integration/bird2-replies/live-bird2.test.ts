/**
 * The BIRD 2 parsers against two live BIRD 2.0.12 daemons (unpacked by
 * scripts/install-bird2.sh, or FALCONER_BIRD_BIN), each in a network namespace this test
 * creates, peering over IPv4 and IPv6: what the captures pin, checked on today's replies.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { BirdControl } from '../../../src/bird/control/index.js'
import {
  parseConfigureReply,
  parseProtocolDetails,
  parseRouteCount,
  parseRouteStream,
  parseStatus,
  protocolsForFamily,
  routeFamily,
} from '../../../src/backends/bird2/replies/index.js'
import type { Route } from '../../../src/bird/replies/index.js'
import { peerRows } from '../../../src/status/peers.js'
import { addAddress, addVeth, createNetns, linkUp, pollUntil, removeStaleNamespaces, spawnInNetns, sysctl } from '../../helpers/netns.js'
import { capturingLogger } from '../../unit/bird/log-capture.js'

const BIRD2 = process.env.FALCONER_BIRD_BIN ?? fileURLToPath(new URL('../../../.deps/bird2/usr/sbin/bird', import.meta.url))

function config(self: 1 | 2): string {
  const peer = self === 1 ? 2 : 1
  const blocks4 = Array.from({ length: 20 }, (_, i) => `  route 192.168.${i}.${self === 1 ? 0 : 64}/26 blackhole;`).join('\n')
  const blocks6 = Array.from({ length: 10 }, (_, i) => `  route fd99:${self}:0:${i}::/122 blackhole;`).join('\n')
  return `router id 10.99.52.${self};
protocol device { scan time 10; }
protocol direct { ipv4; ipv6; interface "b2p*"; }
protocol static blocks4 {
  ipv4;
${blocks4}
}
protocol static blocks6 {
  ipv6;
${blocks6}
}
filter own { if source = RTS_STATIC then accept; reject; }
protocol bgp Mesh_10_99_52_${peer} {
  local 10.99.52.${self} as 64512; neighbor 10.99.52.${peer} as 64512;
  connect retry time 2;
  ipv4 { import all; export filter own; };
}
protocol bgp Mesh_fd99_52__${peer} {
  local fd99:52::${self} as 64512; neighbor fd99:52::${peer} as 64512;
  connect retry time 2;
  ipv6 { import all; export filter own; };
}
`
}

t.setTimeout(180_000)

t.test('two live BIRD 2 daemons: status, protocols with channels, routes, configure check', async (t) => {
  t.ok(existsSync(BIRD2), `BIRD 2 at ${BIRD2} (scripts/install-bird2.sh unpacks it; FALCONER_BIRD_BIN overrides)`)
  await removeStaleNamespaces('b2p')
  const dir = await mkdtemp(join(tmpdir(), 'fa-b2p-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const a = await createNetns(t, 'b2p')
  const b = await createNetns(t, 'b2p')
  await addVeth(a, 'b2p0', 'b2p1', { peerNs: b })
  for (const [ns, dev, n] of [[a, 'b2p0', 1], [b, 'b2p1', 2]] as const) {
    await sysctl(ns, 'net.ipv6.conf.all.accept_dad', 0)
    await addAddress(ns, dev, `10.99.52.${n}/24`)
    await addAddress(ns, dev, `fd99:52::${n}/64`, { nodad: true })
    await linkUp(ns, dev)
  }

  const socks: string[] = []
  for (const [ns, n] of [[a, 1], [b, 2]] as const) {
    const cfg = join(dir, `bird${n}.conf`)
    const sock = join(dir, `bird${n}.ctl`)
    await writeFile(cfg, config(n))
    await execa(BIRD2, ['-p', '-c', cfg]) // a config check opens nothing: fine on the host
    const bird = spawnInNetns(t, ns, BIRD2, ['-f', '-c', cfg, '-s', sock, '-P', join(dir, `bird${n}.pid`)])
    await pollUntil(`BIRD 2 socket ${n}`, () => existsSync(sock) || bird.exitCode !== null, { timeoutMs: 30_000, intervalMs: 50 })
    t.equal(bird.exitCode, null, `bird ${n} is running ${bird.output()}`)
    socks.push(sock)
  }
  const ctl = new BirdControl({ socketPath: socks[0]!, timeoutMs: 10_000 })
  t.teardown(() => ctl.close())

  // Established first, then the peer's 20 + 10 blocks arrive.
  const protocols = await pollUntil('both sessions Established with the peer blocks', async () => {
    const all = parseProtocolDetails((await ctl.request('show protocols all')).lines)
    const imported = all.filter((p) => p.proto === 'BGP' && p.bgpDetails?.state === 'Established').map((p) => p.routes?.imported)
    return imported.length === 2 && imported[0] === 20 && imported[1] === 10 ? all : undefined
  }, { timeoutMs: 90_000, intervalMs: 250 })

  t.test('show status', async (t) => {
    const { log, records } = capturingLogger()
    const status = parseStatus((await ctl.request('show status')).lines, { log })
    t.equal(status.version, '2.0.12')
    t.equal(status.routerId, '10.99.52.1')
    t.equal(status.state, 'running')
    t.type(status.hostname, 'string')
    t.equal(status.serverTime.format, 'datetime')
    t.match(status.serverTime.raw, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/, 'milliseconds by default')
    t.strictSame(records(), [])
    t.equal(ctl.greeting, 'BIRD 2.0.12 ready.')
  })

  t.test('show protocols all, and each family view', async (t) => {
    const { log, records } = capturingLogger()
    const again = parseProtocolDetails((await ctl.request('show protocols all')).lines, { log })
    t.strictSame(records(), [], 'every line understood')
    t.strictSame(again.map((p) => p.name), protocols.map((p) => p.name))
    t.strictSame(protocols.map((p) => [p.name, p.proto, p.channels.map((c) => `${c.name}:${c.state}`).join(' ')]), [
      ['device1', 'Device', ''],
      ['direct1', 'Direct', 'ipv4:UP ipv6:UP'],
      ['blocks4', 'Static', 'ipv4:UP'],
      ['blocks6', 'Static', 'ipv6:UP'],
      ['Mesh_10_99_52_2', 'BGP', 'ipv4:UP'],
      ['Mesh_fd99_52__2', 'BGP', 'ipv6:UP'],
    ])
    const mesh4 = protocols.find((p) => p.name === 'Mesh_10_99_52_2')!
    t.strictSame(mesh4.routes, { imported: 20, filtered: undefined, exported: 20, preferred: 20 })
    t.strictSame(mesh4.bgpDetails!.session, { type: 'internal', flags: ['multihop', 'AS4'] })
    t.equal(mesh4.bgpDetails!.holdTimer!.configured, 240)
    t.strictSame(mesh4.bgpDetails!.neighborFamilies, ['ipv4'])
    const mesh6 = protocols.find((p) => p.name === 'Mesh_fd99_52__2')!
    t.strictSame(mesh6.routes, { imported: 10, filtered: undefined, exported: 10, preferred: 10 })
    t.strictSame(peerRows(protocolsForFamily(protocols, 4), 4).map((r) => [r.peerIP, r.bgpState]), [['10.99.52.2', 'Established']])
    t.strictSame(peerRows(protocolsForFamily(protocols, 6), 6).map((r) => [r.peerIP, r.bgpState]), [['fd99:52::2', 'Established']])
  })

  t.test('show route all, streamed, against show route count', async (t) => {
    const { log, records } = capturingLogger()
    const routes: Route[] = []
    for await (const r of parseRouteStream(ctl.stream('show route all'), { log })) routes.push(r)
    t.strictSame(records(), [], 'every line understood')
    const count = parseRouteCount((await ctl.request('show route count')).lines)
    t.equal(routes.length, count.total)
    t.strictSame(count.tables.map((c) => [c.table, c.total]), [['master4', 41], ['master6', 21]])
    t.equal(routes.filter((r) => routeFamily(r) === 4).length, 41, '20 own + 20 learned blocks + 1 direct')
    const learned = routes.find((r) => r.network === '192.168.7.64/26')!
    t.strictSame(learned.destination, { kind: 'via', gateway: '10.99.52.2', interface: 'b2p0' })
    t.equal(learned.protocol, 'Mesh_10_99_52_2')
    t.equal(learned.placement, 'FIB')
    t.strictSame(learned.bgp?.nextHop, ['10.99.52.2'])
    const learned6 = routes.find((r) => r.network === 'fd99:2:0:3::/122')!
    t.strictSame(learned6.destination, { kind: 'via', gateway: 'fd99:52::2', interface: 'b2p0' })
    t.strictSame(routes.find((r) => r.network === 'fd99:52::/64')?.destination, { kind: 'dev', interface: 'b2p0' })
  })

  t.test('configure check', async (t) => {
    const reply = await ctl.request(`configure check "${join(dir, 'bird1.conf')}"`)
    t.strictSame(parseConfigureReply(reply.lines), { outcome: 'config-ok', configFile: join(dir, 'bird1.conf'), undoScheduledSeconds: undefined })
  })
})
