import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type EtcdHandle } from '../../helpers/etcd.js'
import { exec, pollUntil, spawnInNetns, type Netns, type TeardownHost } from '../../helpers/netns.js'
import { quietly } from './run-helpers.js'

/**
 * The test etcd listens on the host's loopback, which a process inside a test namespace
 * cannot reach (loopback is per namespace), and the host's network must not be touched.
 * Unix sockets are not namespaced, so: the test process relays a Unix socket to etcd, and a
 * relay inside the namespace serves 127.0.0.1:PORT there from that socket. Returns the
 * ETCD_ENDPOINTS value to use inside the namespace.
 */
export async function bridgeEtcdInto(t: TeardownHost, etcd: EtcdHandle, ns: Netns): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-bridge-'))
  const socketPath = join(dir, 'etcd.sock')
  const target = new URL(etcd.endpoint)
  const open = new Set<Socket>()
  const hostSide = await listen(
    createServer((client) => {
      const upstream = createConnection(Number(target.port), target.hostname)
      for (const s of [client, upstream]) {
        open.add(s)
        s.on('close', () => open.delete(s))
      }
      pipe(client, upstream)
    }),
    socketPath,
  )
  t.teardown(() =>
    quietly('closing the etcd bridge', async () => {
      for (const s of open) s.destroy()
      await new Promise((resolve) => hostSide.close(resolve))
      await rm(dir, { recursive: true, force: true })
    }),
  )

  const port = await freePort()
  const relay = `
    const net = require('node:net')
    net.createServer((c) => {
      const u = net.createConnection(${JSON.stringify(socketPath)})
      c.pipe(u); u.pipe(c)
      c.on('error', () => u.destroy()); u.on('error', () => c.destroy())
      c.on('close', () => u.destroy()); u.on('close', () => c.destroy())
    }).listen(${port}, '127.0.0.1', () => console.log('listening'))
  `
  const child = spawnInNetns(t, ns, process.execPath, ['-e', relay])
  await pollUntil('the etcd relay inside the namespace', () => child.output().includes('listening'), { timeoutMs: 30_000 })
  const endpoint = `http://127.0.0.1:${port}`
  // Prove the path end to end before a test relies on it.
  await pollUntil('etcd through the relay', async () => {
    const r = await exec(ns, 'etcdctl', [`--endpoints=${endpoint}`, 'endpoint', 'health', '--command-timeout=3s'], {
      reject: false,
      env: { ETCDCTL_API: '3' },
    })
    return r.exitCode === 0
  }, { timeoutMs: 60_000, intervalMs: 250 })
  return endpoint
}

function pipe(a: Socket, b: Socket): void {
  a.pipe(b)
  b.pipe(a)
  a.on('error', () => b.destroy())
  b.on('error', () => a.destroy())
  a.on('close', () => b.destroy())
  b.on('close', () => a.destroy())
}

function listen(server: Server, path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => resolve(server))
  })
}
