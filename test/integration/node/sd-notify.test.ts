/**
 * systemd's notify protocol, against a datagram socket the test listens on the way systemd
 * does: READY=1, WATCHDOG=1 pings while healthy (none when not), STOPPING=1; and the real
 * `node run --init-system` sending READY=1 once it is up and STOPPING=1 on SIGTERM.
 */
import t from 'tap'
import { SdNotifier } from '../../../src/node/lifecycle/sd-notify.js'
import { ensureBuilt } from '../../helpers/cli.js'
import { startEtcd } from '../../helpers/etcd.js'
import { pollUntil, removeStaleNamespaces, spawnInNetns } from '../../helpers/netns.js'
import { listenNotifySocket } from '../../helpers/notify-socket.js'
import { BIN, NETNS_PREFIX, nodeNamespace, tempPrefix } from './run-helpers.js'

/**
 * The messages, without systemd-notify's BARRIER=1 (it sends one after each message and
 * waits until the socket's reader has taken it: the synchronisation, not the content).
 */
const fieldsOf = (messages: string[][]) => messages.map((m) => m.join(' ')).filter((m) => m !== 'BARRIER=1')

t.before(async () => {
  await removeStaleNamespaces(NETNS_PREFIX)
  await ensureBuilt()
})

t.test('without NOTIFY_SOCKET nothing is sent and nothing fails', async (t) => {
  const n = new SdNotifier({ env: { WATCHDOG_USEC: '1000000' } })
  t.equal(n.enabled, false)
  t.equal(n.watchdogIntervalMs, undefined)
  await n.ready('x')
  await n.stopping()
})

t.test('READY=1 with a status, then STOPPING=1, in order', async (t) => {
  const sock = await listenNotifySocket(t)
  const n = new SdNotifier({ env: { ...process.env, NOTIFY_SOCKET: sock.path } })
  t.equal(n.enabled, true)
  await n.ready('Calico node started successfully')
  await n.stopping()
  await pollUntil('two messages', () => fieldsOf(sock.messages()).length >= 2)
  t.same(fieldsOf(sock.messages()), ['READY=1 STATUS=Calico node started successfully', 'STOPPING=1 STATUS=stopping'])
  t.ok(sock.messages().some((m) => m.join() === 'BARRIER=1'), 'systemd-notify waited on a barrier')
})

t.test('WATCHDOG=1 every half period while healthy, none while not', async (t) => {
  const sock = await listenNotifySocket(t)
  let healthy = true
  const n = new SdNotifier({ env: { ...process.env, NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '400000', WATCHDOG_PID: String(process.pid) } })
  t.teardown(() => n.stopWatchdog())
  t.equal(n.watchdogIntervalMs, 200)
  n.startWatchdog(() => healthy)
  await pollUntil('three pings', () => fieldsOf(sock.messages()).length >= 3)
  t.ok(fieldsOf(sock.messages()).every((m) => m === 'WATCHDOG=1'), fieldsOf(sock.messages()).join(', '))
  healthy = false
  await n.flushed()
  const before = sock.messages().length
  // Several periods with the agent unhealthy: not one more ping.
  await new Promise((r) => setTimeout(r, 1_000))
  await n.flushed()
  t.equal(sock.messages().length, before, 'an unhealthy agent does not ping')
  healthy = true
  await pollUntil('pings again', () => sock.messages().length > before)
  n.stopWatchdog()
})

t.test('a watchdog meant for another process (WATCHDOG_PID) is not ours', async (t) => {
  const n = new SdNotifier({ env: { NOTIFY_SOCKET: '/nonexistent', WATCHDOG_USEC: '400000', WATCHDOG_PID: '1' }, pid: 4242 })
  t.equal(n.watchdogIntervalMs, undefined)
})

t.test('node run --init-system: READY=1 once running, STOPPING=1 on SIGTERM', async (t) => {
  const etcd = await startEtcd(t)
  const { ns, endpoint } = await nodeNamespace(t, etcd, ['10.99.1.2/24'])
  const prefix = await tempPrefix(t)
  const sock = await listenNotifySocket(t)
  const env = { ...process.env, DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: endpoint, NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '2000000' }
  const args = [BIN, 'node', 'run', '--init-system', '--backend=none', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix]
  const agent = spawnInNetns(t, ns, process.execPath, args, { env: { ...env, WATCHDOG_PID: '' } })
  await pollUntil('READY=1', () => fieldsOf(sock.messages()).some((m) => m.startsWith('READY=1')), { timeoutMs: 60_000 })
  t.match(agent.output(), /Calico node started successfully/, 'ready is sent with the ready line')
  await pollUntil('a watchdog ping', () => fieldsOf(sock.messages()).includes('WATCHDOG=1'), { timeoutMs: 10_000 })
  agent.kill('SIGTERM')
  t.same(await agent.exited, { code: 0, signal: null }, agent.output())
  const messages = fieldsOf(sock.messages())
  t.equal(messages.at(-1), 'STOPPING=1 STATUS=stopping', 'STOPPING=1 is the last message')
  t.equal(messages.filter((m) => m.startsWith('READY=1')).length, 1, 'READY=1 once')
  t.ok(messages.indexOf('READY=1 STATUS=Calico node started successfully') >= 0)
})
