import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DatastoreSettings } from '../../src/settings/settings.js'
import { makeTlsFiles, type TlsFiles } from './tls.js'

/**
 * A real, private etcd per test file: free loopback ports, a temp data dir, optional TLS
 * (with client certificates) and password auth. Everything it starts is killed by PID and
 * its directory removed in t.teardown, also when the test fails.
 */

/** The part of a tap test the harness needs. */
export interface TeardownHost {
  teardown(fn: () => unknown): void
}

export interface EtcdOptions {
  /** https client endpoint with a test CA; clients must present a certificate. */
  tls?: boolean
  /** Password auth: user `root`, auth enabled. */
  auth?: boolean
  /** More etcd flags, e.g. `--experimental-watch-progress-notify-interval=500ms`. */
  extraArgs?: readonly string[]
}

export interface EtcdHandle {
  readonly endpoint: string
  /** Settings a falconer client uses to reach this etcd (TLS files, credentials, 10 s bound). */
  readonly settings: DatastoreSettings
  /** ETCD_ENDPOINTS etc., for spawning the CLI against this etcd. */
  readonly env: Record<string, string>
  /** The running etcd's PID, undefined while stopped. */
  readonly pid: number | undefined
  readonly dir: string
  readonly tls: TlsFiles | undefined
  readonly password: string | undefined
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>
  /** Start again on the same ports and data dir; resolves when healthy. */
  start(): Promise<void>
  /** Run etcdctl (v3 API) against this etcd with the right TLS flags and credentials; stdout. */
  etcdctl(args: readonly string[]): Promise<string>
  /**
   * While stopped: start the same data dir on a different client port, so clients of
   * `endpoint` still see an outage while the test changes (and compacts) the data.
   */
  startHidden(): Promise<HiddenEtcd>
}

export interface HiddenEtcd {
  readonly endpoint: string
  etcdctl(args: readonly string[]): Promise<string>
  stop(): Promise<void>
}

const HEALTH_TIMEOUT_MS = 60_000

export async function startEtcd(t: TeardownHost, opts: EtcdOptions = {}): Promise<EtcdHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-etcd-'))
  const procs = new Set<EtcdProcess>()
  t.teardown(async () => {
    await Promise.all([...procs].map((p) => p.signal('SIGKILL')))
    await rm(dir, { recursive: true, force: true })
  })

  const tls = opts.tls ? await makeTlsFiles(join(dir, 'pki')) : undefined
  const password = opts.auth ? 'falconer-test-pw' : undefined
  const scheme = tls ? 'https' : 'http'

  // Free ports are picked by binding port 0 and closing it; someone may take one before
  // etcd binds it, so a failed bind is retried with fresh ports and a fresh data dir.
  let attempt = 0
  let layout: Layout
  let proc: EtcdProcess
  for (;;) {
    attempt++
    layout = { clientPort: await freePort(), peerPort: await freePort(), dataDir: join(dir, `data-${attempt}`) }
    proc = spawnEtcd(layout, layout.clientPort, tls, opts.extraArgs)
    procs.add(proc)
    const endpoint = `${scheme}://127.0.0.1:${layout.clientPort}`
    try {
      await waitHealthy(proc, (args) => etcdctl(endpoint, tls, undefined, args))
      break
    } catch (e) {
      await proc.signal('SIGKILL')
      procs.delete(proc)
      if (!(e instanceof EtcdExitedError && e.bindRace) || attempt >= 5) throw e
    }
  }

  const endpoint = `${scheme}://127.0.0.1:${layout.clientPort}`
  if (password !== undefined) {
    await etcdctl(endpoint, tls, undefined, ['user', 'add', 'root', `--new-user-password=${password}`, '--interactive=false'])
    await etcdctl(endpoint, tls, undefined, ['auth', 'enable'])
  }

  const settings: DatastoreSettings = {
    type: 'etcdv3',
    endpoints: [endpoint],
    timeoutMs: 10_000,
    ...(tls && { caCertFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile }),
    ...(password !== undefined && { username: 'root', password }),
  }
  const env: Record<string, string> = {
    DATASTORE_TYPE: 'etcdv3',
    ETCD_ENDPOINTS: endpoint,
    ...(tls && { ETCD_CA_CERT_FILE: tls.caFile, ETCD_CERT_FILE: tls.clientCertFile, ETCD_KEY_FILE: tls.clientKeyFile }),
    ...(password !== undefined && { ETCD_USERNAME: 'root', ETCD_PASSWORD: password }),
  }
  const ctl = (ep: string) => (args: readonly string[]) => etcdctl(ep, tls, password, args)

  let current: EtcdProcess | undefined = proc
  const ensureStopped = (what: string) => {
    if (current?.running) throw new Error(`etcd: ${what} needs etcd to be stopped first`)
  }
  const handle: EtcdHandle = {
    endpoint,
    settings,
    env,
    dir,
    tls,
    password,
    get pid() {
      return current?.running ? current.pid : undefined
    },
    async stop() {
      await current?.signal('SIGTERM')
    },
    async kill() {
      await current?.signal('SIGKILL')
    },
    async start() {
      ensureStopped('start()')
      current = spawnEtcd(layout, layout.clientPort, tls, opts.extraArgs)
      procs.add(current)
      await waitHealthy(current, ctl(endpoint))
    },
    etcdctl: ctl(endpoint),
    async startHidden() {
      ensureStopped('startHidden()')
      const port = await freePort()
      const hiddenEndpoint = `${scheme}://127.0.0.1:${port}`
      const hidden = spawnEtcd(layout, port, tls, opts.extraArgs)
      procs.add(hidden)
      await waitHealthy(hidden, ctl(hiddenEndpoint))
      return { endpoint: hiddenEndpoint, etcdctl: ctl(hiddenEndpoint), stop: () => hidden.signal('SIGTERM') }
    },
  }
  return handle
}

interface Layout {
  readonly clientPort: number
  readonly peerPort: number
  readonly dataDir: string
}

class EtcdExitedError extends Error {
  constructor(
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`etcd exited (code ${code}) before it became healthy:\n${stderr}`)
  }
  get bindRace(): boolean {
    return /address already in use/.test(this.stderr)
  }
}

class EtcdProcess {
  readonly pid: number
  running = true
  readonly exited: Promise<number | null>
  private stderr = ''

  constructor(private readonly child: ChildProcess) {
    if (child.pid === undefined) throw new Error('etcd: spawn failed (is etcd installed?)')
    this.pid = child.pid
    // The test's teardown kills etcd; etcd must not be what keeps the test process alive
    // (tap runs root teardowns only once the event loop drains).
    child.unref()
    ;(child.stderr as Socket | null)?.unref()
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-8_000)
    })
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        this.running = false
        resolve(code)
      })
    })
  }

  private kill(sig: NodeJS.Signals): void {
    try {
      if (this.running) process.kill(this.pid, sig)
    } catch (e) {
      // Exited between the check and the signal: nothing left to stop.
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e
    }
  }

  get stderrTail(): string {
    return this.stderr
  }

  /** Signal by PID and wait for the exit; SIGTERM escalates to SIGKILL after 20 s. */
  async signal(sig: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (!this.running) return
    // Keep the event loop alive until the exit is seen (the handle is unref'd otherwise).
    this.child.ref()
    this.kill(sig)
    const escalate = sig === 'SIGTERM' ? setTimeout(() => this.kill('SIGKILL'), 20_000) : undefined
    await this.exited
    clearTimeout(escalate)
  }
}

function spawnEtcd(layout: Layout, clientPort: number, tls: TlsFiles | undefined, extraArgs: readonly string[] = []): EtcdProcess {
  const scheme = tls ? 'https' : 'http'
  const client = `${scheme}://127.0.0.1:${clientPort}`
  const peer = `http://127.0.0.1:${layout.peerPort}`
  const args = [
    '--name', 'falconer-test',
    '--data-dir', layout.dataDir,
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `falconer-test=${peer}`,
    '--initial-cluster-state', 'new',
    '--logger', 'zap',
    '--log-level', 'warn',
    '--log-outputs', 'stderr',
    ...(tls ? ['--cert-file', tls.serverCertFile, '--key-file', tls.serverKeyFile, '--trusted-ca-file', tls.caFile, '--client-cert-auth'] : []),
    ...extraArgs,
  ]
  // etcd reads ETCD_* variables as flags; the test runner's environment must not leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')))
  return new EtcdProcess(spawn('etcd', args, { env, stdio: ['ignore', 'ignore', 'pipe'] }))
}

async function waitHealthy(proc: EtcdProcess, ctl: (args: readonly string[]) => Promise<string>): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS
  let lastError: unknown
  while (Date.now() < deadline) {
    if (!proc.running) throw new EtcdExitedError(await proc.exited, proc.stderrTail)
    try {
      await ctl(['endpoint', 'health', '--command-timeout=3s'])
      return
    } catch (e) {
      lastError = e
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`etcd did not become healthy within ${HEALTH_TIMEOUT_MS / 1000}s: ${String(lastError)}\n${proc.stderrTail}`)
}

export function etcdctl(endpoint: string, tls: TlsFiles | undefined, password: string | undefined, args: readonly string[]): Promise<string> {
  const flags = [
    `--endpoints=${endpoint}`,
    ...(tls ? [`--cacert=${tls.caFile}`, `--cert=${tls.clientCertFile}`, `--key=${tls.clientKeyFile}`] : []),
    ...(password !== undefined ? [`--user=root:${password}`] : []),
  ]
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD'))), ETCDCTL_API: '3' }
  return new Promise((resolve, reject) => {
    execFile('etcdctl', [...flags, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`etcdctl ${args.join(' ')} failed: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
  })
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))))
    })
  })
}
