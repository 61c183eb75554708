/**
 * The namespace helper itself (test/helpers/netns.ts), which the lab, BIRD and e2e tests
 * build on: names, links, addresses, /etc/netns files, processes, and above all cleanup.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readlinkSync } from 'node:fs'
import { execa } from 'execa'
import {
  addAddress,
  addBridge,
  addDummy,
  addRoute,
  addVeth,
  createNetns,
  exec,
  ipIn,
  isolateNetnsResolver,
  linkDown,
  linkUp,
  listNetns,
  NetnsError,
  pollUntil,
  removeStaleNamespaces,
  setMaster,
  spawnInNetns,
  sysctl,
  Teardowns,
  waitForOperstate,
  writeNetnsHosts,
  type ExitStatus,
  type Netns,
} from '../../helpers/netns.js'
import { NETNS_PREFIX } from './topology.js'

const netnsInode = (ns: Netns) => exec(ns, 'readlink', ['/proc/self/ns/net']).then((r) => r.stdout)
const alive = (pid: number) => existsSync(`/proc/${pid}`)

t.test('createNetns: a short random name, lo up, gone after the test', async (t) => {
  let name = ''
  await t.test('inner', async (t) => {
    const ns = await createNetns(t, NETNS_PREFIX)
    name = ns.name
    t.match(name, /^fa-ad-[0-9a-f]{6}$/)
    t.ok(name.length <= 15)
    t.ok((await listNetns()).includes(name))
    t.match(await ipIn(ns, ['-br', 'link', 'show', 'lo']), /UNKNOWN/, 'lo is up')
    await writeNetnsHosts(ns, '10.99.250.9 gw.test\n')
    t.equal((await exec(ns, 'getent', ['hosts', 'gw.test'])).stdout.trim(), '10.99.250.9     gw.test', '/etc/hosts comes from /etc/netns/<ns>/hosts')
    t.ok(existsSync(`/etc/netns/${name}/hosts`))
  })
  t.notOk((await listNetns()).includes(name), 'namespace deleted at teardown')
  t.notOk(existsSync(`/etc/netns/${name}`), '/etc/netns/<ns> removed at teardown')
  t.notOk(existsSync(`/run/falconer-netns/${name}`), 'owner record removed')

  const fixed = await createNetns(t, NETNS_PREFIX, { suffix: 'x1' + Math.random().toString(36).slice(2, 6) })
  t.match(fixed.name, /^fa-ad-x1[0-9a-z]{4}$/, 'a lab can choose the suffix')
  const suffix = fixed.name.slice('fa-ad-'.length)
  await t.rejects(createNetns(t, NETNS_PREFIX, { suffix }), { name: 'NetnsError', message: /belongs to a running process/ })
  t.ok((await listNetns()).includes(fixed.name), 'a refused duplicate leaves the original alone')
  t.equal((await removeStaleNamespaces(NETNS_PREFIX)).includes(fixed.name), false, 'and still owned')
  await t.rejects(createNetns(t, 'a-very-long-prefix'), NetnsError)
  await t.rejects(createNetns(t, 'labnode', { suffix: 'toolong1' }), { name: 'NetnsError', message: /longer than 15/ })
})

t.test('links, addresses, routes and sysctls; traffic between two namespaces', async (t) => {
  const a = await createNetns(t, NETNS_PREFIX)
  const b = await createNetns(t, NETNS_PREFIX)
  await addVeth(a, 'eth0', 'eth0', { peerNs: b, mac: '02:99:00:00:01:01' })
  await addAddress(a, 'eth0', '10.99.250.1/30')
  await addAddress(b, 'eth0', '10.99.250.2/30')
  await addAddress(a, 'eth0', 'fd99:250::1/64', { nodad: true })
  await addAddress(b, 'eth0', 'fd99:250::2/64', { nodad: true })
  await linkUp(a, 'eth0')
  await linkUp(b, 'eth0')
  await waitForOperstate(a, 'eth0', ['UP'])
  t.match(await ipIn(a, ['link', 'show', 'eth0']), /link\/ether 02:99:00:00:01:01/)

  await addRoute(a, '10.99.251.0/24', { via: '10.99.250.2' })
  await addRoute(a, 'fd99:251::/64', { via: 'fd99:250::2', dev: 'eth0' })
  t.match(await ipIn(a, ['route', 'show', '10.99.251.0/24']), /via 10\.99\.250\.2 dev eth0/)
  t.match(await ipIn(a, ['-6', 'route', 'show', 'fd99:251::/64']), /via fd99:250::2 dev eth0/)

  await sysctl(a, 'net.ipv4.ip_forward', 1)
  t.equal((await exec(a, 'sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout, '1', 'sysctls are per namespace')

  // A UDP echo server in b, reached from a over the veth pair, for both families.
  const server = spawnInNetns(t, b, process.execPath, ['-e', `
    const s = require('node:dgram').createSocket({ type: 'udp6', ipv6Only: false })
    s.on('message', (m, r) => s.send(m, r.port, r.address))
    s.bind(7007, '::', () => console.log('listening'))
  `])
  await pollUntil('the echo server', () => server.output().includes('listening'))
  for (const dest of ['10.99.250.2', 'fd99:250::2']) {
    const client = await exec(a, process.execPath, ['-e', `
      const s = require('node:dgram').createSocket('${dest.includes(':') ? 'udp6' : 'udp4'}')
      s.on('message', (m) => { console.log(String(m)); s.close() })
      s.send('hello', 7007, '${dest}')
      setTimeout(() => { console.log('timeout'); process.exit(1) }, 20000).unref()
    `])
    t.equal(client.stdout, 'hello', `echo over ${dest}`)
  }

  const kind = await addDummy(a, 'dummy0')
  t.ok(kind === 'dummy' || kind === 'ifb')
  await linkUp(a, 'dummy0')
  t.match(await ipIn(a, ['-br', 'link', 'show', 'dummy0']), /^dummy0\s+UNKNOWN/, `a ${kind} link is UNKNOWN while up`)

  await addBridge(a, 'br0')
  await addVeth(a, 'veth0', 'veth1')
  await setMaster(a, 'veth0', 'br0')
  t.match(await ipIn(a, ['link', 'show', 'veth0']), /master br0/)
  await linkDown(a, 'dummy0')
  t.match(await ipIn(a, ['-br', 'link', 'show', 'dummy0']), /^dummy0\s+DOWN/)
})

t.test('createNetns with ipv6Dad: false: a link-local address is usable as soon as it appears', async (t) => {
  // An ordinary pair's link-local addresses are tentative for about a second of DAD after
  // link-up, so the first sight of each address is what tells the option worked.
  const linkLocalOnFirstSight = async (ns: Netns) => pollUntil(`a link-local address on eth0 in ${ns.name}`, async () => {
    const [link] = JSON.parse(await ipIn(ns, ['-j', '-6', 'addr', 'show', 'dev', 'eth0'])) as { addr_info: { local: string; tentative?: boolean }[] }[]
    return link?.addr_info.find((a) => a.local.startsWith('fe80:'))
  }, { timeoutMs: 10_000, intervalMs: 5 })
  const a = await createNetns(t, NETNS_PREFIX, { ipv6Dad: false })
  const b = await createNetns(t, NETNS_PREFIX, { ipv6Dad: false })
  await addVeth(a, 'eth0', 'eth0', { peerNs: b })
  await linkUp(a, 'eth0')
  await linkUp(b, 'eth0')
  const seen = [await linkLocalOnFirstSight(a), await linkLocalOnFirstSight(b)]
  t.same(seen.map((x) => x.tentative ?? false), [false, false], 'not tentative, on both ends of a veth pair')
})

t.test('exec reports failures with the command and its stderr', async (t) => {
  const ns = await createNetns(t, NETNS_PREFIX)
  const r = await exec(ns, 'sh', ['-c', 'echo out; echo err >&2; exit 3'], { reject: false })
  t.same(r, { stdout: 'out', stderr: 'err', exitCode: 3 })
  await t.rejects(exec(ns, 'sh', ['-c', 'echo broken >&2; exit 2']), { name: 'NetnsError', message: /sh -c .* failed .*broken/ })
  await t.rejects(ipIn(ns, ['link', 'set', 'nosuchdev', 'up']), { name: 'NetnsError', message: /nosuchdev/ })
  t.equal((await exec(ns, 'sh', ['-c', 'echo "$FOO"'], { env: { FOO: 'bar' } })).stdout, 'bar')
  t.equal((await exec(ns, 'cat', [], { input: 'piped' })).stdout, 'piped')
})

t.test('isolateNetnsResolver: unknown names fail at once, inside the namespace', async (t) => {
  const ns = await createNetns(t, NETNS_PREFIX)
  await isolateNetnsResolver(ns)
  const r = await exec(ns, 'getent', ['hosts', 'nowhere.test'], { reject: false, timeoutMs: 30_000 })
  t.equal(r.exitCode, 2, 'not found')
})

t.test('spawnInNetns: runs in the namespace; teardown stops it by PID', async (t) => {
  let pids: number[] = []
  let done: Promise<ExitStatus[]> = Promise.resolve([])
  await t.test('inner', async (t) => {
    const ns = await createNetns(t, NETNS_PREFIX)
    const polite = spawnInNetns(t, ns, 'sleep', ['1000'])
    // Ignores SIGTERM: needs the SIGKILL after the grace period.
    const stubborn = spawnInNetns(t, ns, 'sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.2; done'], { graceMs: 500 })
    await pollUntil('the stubborn child', () => stubborn.output().includes('ready'))
    pids = [polite.pid!, stubborn.pid!]
    t.equal(readlinkSync(`/proc/${polite.pid}/ns/net`), await netnsInode(ns), 'the PID is the command itself, inside the namespace')
    t.equal(readlinkSync(`/proc/${polite.pid}/exe`), '/usr/bin/sleep')
    done = Promise.all([polite.exited, stubborn.exited])
  })
  for (const pid of pids) t.notOk(alive(pid), `pid ${pid} is gone after teardown`)
  t.same(await done, [{ code: null, signal: 'SIGTERM' }, { code: null, signal: 'SIGKILL' }])

  const ns = await createNetns(t, NETNS_PREFIX)
  const quick = spawnInNetns(t, ns, 'sh', ['-c', 'echo bye; exit 4'])
  t.same(await quick.exited, { code: 4, signal: null })
  t.equal(quick.output(), 'bye\n')
  t.same(await quick.stop(), { code: 4, signal: null }, 'stopping an exited child is a no-op')
})

t.test('Teardowns: the same cleanup for scripts outside tap', async (t) => {
  const td = new Teardowns()
  const ns = await createNetns(td, NETNS_PREFIX)
  const child = spawnInNetns(td, ns, 'sleep', ['1000'])
  const order: string[] = []
  td.teardown(() => order.push('last registered'))
  td.teardown(() => {
    throw new Error('a failing teardown does not stop the others')
  })
  await td.run()
  t.same(order, ['last registered'])
  t.notOk(alive(child.pid!))
  t.notOk((await listNetns()).includes(ns.name))
})

t.test('removeStaleNamespaces: leftovers go, live namespaces stay', async (t) => {
  const live = await createNetns(t, NETNS_PREFIX)
  const stale = `fa-ad-st${Math.random().toString(16).slice(2, 6)}`
  // A leftover as a crashed run leaves it: no live owner, a process still inside, a hosts file.
  await execa('ip', ['netns', 'add', stale])
  t.teardown(() => execa('ip', ['netns', 'delete', stale], { reject: false }))
  await writeNetnsHosts({ name: stale }, '10.99.0.1 x\n')
  const orphan = spawn('ip', ['netns', 'exec', stale, 'sleep', '1000'], { stdio: 'ignore' })
  t.teardown(() => void (alive(orphan.pid!) && process.kill(orphan.pid!, 'SIGKILL')))
  await pollUntil('the orphan to enter the namespace', async () => alive(orphan.pid!) && readlinkSync(`/proc/${orphan.pid}/exe`) === '/usr/bin/sleep')

  const removed = await removeStaleNamespaces(NETNS_PREFIX)
  t.ok(removed.includes(stale), 'the leftover is removed')
  t.notOk(removed.includes(live.name), 'a namespace whose creator is alive is kept')
  const names = await listNetns()
  t.notOk(names.includes(stale))
  t.ok(names.includes(live.name))
  t.notOk(existsSync(`/etc/netns/${stale}`))
  await pollUntil('the orphan to be gone', () => !alive(orphan.pid!))
})
