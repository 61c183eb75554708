/**
 * Network namespaces for integration tests, the lab and e2e tests.
 *
 * Everything a test builds lives inside namespaces it created, so nothing touches the
 * host's own network: create a namespace with `createNetns(t, 'xy')`, add links and
 * addresses with the helpers below (all take the namespace first), run short commands with
 * `exec` and long-running ones (BIRD, an agent, gobgpd) with `spawnInNetns`. Cleanup is
 * registered on `t.teardown` as things are created, so it also runs when a test fails:
 * processes are stopped by PID (SIGTERM, then SIGKILL after a grace period), then the
 * namespace and its /etc/netns/<name>/ directory are deleted. tap runs teardowns last-in
 * first-out, so processes stop before their namespace goes.
 *
 * Names are `fa-<prefix>-<random>` (at most 15 characters, the kernel's IFNAMSIZ-1, so a
 * name can also serve as a link name). Each test file picks its own prefix; a crashed run
 * can leave namespaces behind, which `removeStaleNamespaces(prefix)` deletes — but only
 * those whose creating process is gone, so parallel test files sharing a prefix are safe.
 *
 * Addresses: use 10.99.0.0/16 and fd99::/16 only.
 *
 * Example:
 *
 *   const ns = await createNetns(t, 'ad')
 *   await addVeth(ns, 'eth0', 'peer0', { peerNs: other })
 *   await addAddress(ns, 'eth0', '10.99.1.1/24')
 *   await linkUp(ns, 'eth0')
 *   const bird = spawnInNetns(t, ns, 'bird', ['-f', '-c', cfg, '-s', sock])
 *   await pollUntil('BIRD socket', () => existsSync(sock))
 */
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'

export interface Netns {
  readonly name: string
}

/** Anything with tap's `t.teardown`; scripts can use `Teardowns` below. */
export interface TeardownHost {
  teardown(fn: () => unknown): void
}

export class NetnsError extends Error {
  override readonly name = 'NetnsError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

const NAME_MAX = 15
const NETNS_ETC = '/etc/netns'
/** Who created each namespace (`pid starttime`), so stale ones can be told from live ones. */
const OWNER_DIR = '/run/falconer-netns'

// ─── namespaces ─────────────────────────────────────────────────────────────

export interface NetnsOptions {
  /** `fa-<prefix>-<suffix>` instead of a random suffix, for a lab that wants stable names. */
  readonly suffix?: string
  /**
   * `false`: links created in the namespace skip IPv6 duplicate address detection, so their
   * link-local address is there and usable as soon as the link is up. BGP labs want this:
   * BIRD 1.6 drops an established IPv6 session ("Neighbor lost") when the link-local
   * address of its interface leaves DAD after the session came up, a second or more after
   * link-up under load. Default `true`, as on a host (the autodetection labs need tentative
   * and failed addresses).
   */
  readonly ipv6Dad?: boolean
}

/**
 * Creates `fa-<prefix>-<random>` (or `fa-<prefix>-<suffix>`) with `lo` up, and registers its
 * deletion on `t.teardown`.
 */
export async function createNetns(t: TeardownHost, prefix = 'x', opts: NetnsOptions = {}): Promise<Netns> {
  if (!/^[a-z0-9]+$/.test(prefix)) throw new NetnsError(`namespace prefix "${prefix}": use lower-case letters and digits`)
  const room = NAME_MAX - `fa-${prefix}-`.length
  const suffix = opts.suffix ?? randomBytes(4).toString('hex').slice(0, Math.min(6, room))
  const name = `fa-${prefix}-${suffix}`
  if (suffix.length < (opts.suffix === undefined ? 4 : 1) || name.length > NAME_MAX || !/^[a-z0-9-]+$/.test(suffix)) {
    throw new NetnsError(`namespace name "${name}" is invalid or longer than ${NAME_MAX} characters (prefix too long?)`)
  }
  // Owner first: a parallel removeStaleNamespaces must never see this namespace ownerless.
  await recordOwner(name)
  try {
    await run('ip', ['netns', 'add', name])
  } catch (err) {
    await rm(join(OWNER_DIR, name), { force: true })
    throw err
  }
  const ns: Netns = { name }
  // Registered before anything else can fail, so the namespace never outlives the test.
  t.teardown(() => quietly(`deleting namespace ${name}`, () => deleteNetns(ns)))
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up'])
  if (opts.ipv6Dad === false) {
    // `default` for links made from now on; `all` because the kernel skips DAD only when both are 0
    await sysctl(ns, 'net.ipv6.conf.all.accept_dad', 0)
    await sysctl(ns, 'net.ipv6.conf.default.accept_dad', 0)
  }
  return ns
}

/**
 * Stops whatever still runs inside (by PID: SIGTERM, then SIGKILL), deletes the namespace,
 * its /etc/netns/<name>/ files and its owner record. Idempotent.
 */
export async function deleteNetns(ns: Netns, graceMs = 5_000): Promise<void> {
  if (await netnsExists(ns.name)) {
    await stopPids(await pidsIn(ns.name), graceMs)
    await run('ip', ['netns', 'delete', ns.name])
  }
  await rm(join(NETNS_ETC, ns.name), { recursive: true, force: true })
  await rm(join(OWNER_DIR, ns.name), { force: true })
}

/**
 * Synchronous last-resort form of `deleteNetns`, for when there is no time to tear down in
 * order: the test runner gives a timed-out file half a second between SIGALRM and SIGKILL,
 * and an `exit` handler cannot wait for anything. Every process in the namespace is
 * SIGKILLed by PID, then the namespace is deleted. Never throws.
 */
export function forceRemoveNetnsSync(name: string): void {
  let pids: number[] = []
  try {
    pids = parsePids(execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 2_000, stdio: ['ignore', 'pipe', 'ignore'] }))
  } catch {
    // Namespace already gone.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already exited.
    }
  }
  try {
    execFileSync('ip', ['netns', 'delete', name], { timeout: 2_000, stdio: 'ignore' })
  } catch {
    // Already gone.
  }
  rmSync(join(NETNS_ETC, name), { recursive: true, force: true })
  rmSync(join(OWNER_DIR, name), { force: true })
}

export async function listNetns(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list'])
  // Lines are `name` or `name (id: 3)`.
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '')
}

async function netnsExists(name: string): Promise<boolean> {
  return (await listNetns()).includes(name)
}

/**
 * Deletes namespaces named `fa-<prefix>-…` left by earlier runs whose creating process is
 * gone (or unknown), with their processes and /etc/netns files. Namespaces of a live
 * process (a test file running in parallel) are left alone. Returns the names deleted.
 */
export async function removeStaleNamespaces(prefix: string): Promise<string[]> {
  const start = `fa-${prefix}-`
  const removed: string[] = []
  for (const name of await listNetns()) {
    if (!name.startsWith(start) || (await ownerAlive(name))) continue
    await deleteNetns({ name })
    removed.push(name)
  }
  // /etc/netns directories and owner records whose namespace is already gone.
  const live = new Set(await listNetns())
  for (const dir of [NETNS_ETC, OWNER_DIR]) {
    for (const name of existsSync(dir) ? await readdir(dir) : []) {
      if (name.startsWith(start) && !live.has(name) && !(await ownerAlive(name))) {
        await rm(join(dir, name), { recursive: true, force: true })
      }
    }
  }
  return removed
}

async function recordOwner(name: string): Promise<void> {
  await mkdir(OWNER_DIR, { recursive: true })
  if (await ownerAlive(name)) throw new NetnsError(`namespace ${name} belongs to a running process`)
  await writeFile(join(OWNER_DIR, name), `${process.pid} ${await startTime(process.pid)}\n`)
}

async function ownerAlive(name: string): Promise<boolean> {
  let text: string
  try {
    text = await readFile(join(OWNER_DIR, name), 'utf8')
  } catch {
    return false
  }
  const [pid, start] = text.trim().split(' ')
  if (pid === undefined || start === undefined) return false
  // A reused PID has a different start time.
  return (await startTime(Number(pid))) === start
}

/** Field 22 of /proc/PID/stat (clock ticks since boot); undefined when the process is gone. */
async function startTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/** A process's state letter (`R`, `S`, `T` when stopped…) from /proc/PID/stat; `gone` when there is none. */
export function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?'
  } catch {
    return 'gone'
  }
}

async function pidsIn(name: string): Promise<number[]> {
  return parsePids(await run('ip', ['netns', 'pids', name]))
}

/** `ip netns pids` output: one PID per line. */
function parsePids(out: string): number[] {
  return out.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number)
}

// ─── commands ───────────────────────────────────────────────────────────────

export interface ExecResult {
  readonly stdout: string
  readonly stderr: string
  readonly exitCode: number
}

export interface ExecOptions {
  /** Resolve with a non-zero exit code instead of rejecting (default: reject). */
  readonly reject?: boolean
  readonly env?: Record<string, string>
  readonly input?: string
  readonly timeoutMs?: number
}

/**
 * Runs `cmd args…` inside the namespace (`ip netns exec`, which also bind-mounts
 * /etc/netns/<name>/*). As with execa, stdout and stderr lose their final newline.
 */
export async function exec(ns: Netns, cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const argv = ['netns', 'exec', ns.name, cmd, ...args]
  const r = await execa('ip', argv, {
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    ...(opts.env && { env: opts.env }),
  })
  const result = { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 }
  if (opts.reject !== false && (r.failed || r.exitCode !== 0)) {
    throw new NetnsError(`in ${ns.name}: \`${[cmd, ...args].join(' ')}\` failed (${r.shortMessage}): ${r.stderr.trim()}`)
  }
  return result
}

/** A CommandRunner (src/node/interfaces.ts) that runs inside the namespace. */
export function runnerIn(ns: Netns): (cmd: string, args: readonly string[]) => Promise<string> {
  return async (cmd, args) => (await exec(ns, cmd, args)).stdout
}

/** `ip -n <ns> args…`; resolves with stdout. */
export async function ipIn(ns: Netns, args: readonly string[]): Promise<string> {
  return run('ip', ['-n', ns.name, ...args])
}

// ─── links and addresses ────────────────────────────────────────────────────

export interface LinkOptions {
  /** A fixed MAC makes the EUI-64 link-local address predictable. */
  readonly mac?: string
}

/**
 * A veth pair: `name` in `ns`, `peer` in `opts.peerNs` (default: the same namespace).
 * Both ends start down; a veth end reports operstate UP only once both ends are up.
 */
export async function addVeth(
  ns: Netns,
  name: string,
  peer: string,
  opts: LinkOptions & { peerNs?: Netns; peerMac?: string } = {},
): Promise<void> {
  await ipIn(ns, [
    'link', 'add', name, ...macArgs(opts.mac), 'type', 'veth',
    'peer', 'name', peer, ...macArgs(opts.peerMac), ...(opts.peerNs ? ['netns', opts.peerNs.name] : []),
  ])
}

/**
 * A link with no peer and no carrier to lose, like the dummy driver: operstate UNKNOWN
 * while up. Uses `dummy` when the kernel has it and `ifb` otherwise (some test kernels are
 * built without the dummy module); resolves with the kind used. Note ifb links are NOARP,
 * so IPv6 DAD is skipped on them (addresses are never tentative).
 */
export async function addDummy(ns: Netns, name: string, opts: LinkOptions = {}): Promise<'dummy' | 'ifb'> {
  try {
    await ipIn(ns, ['link', 'add', name, ...macArgs(opts.mac), 'type', 'dummy'])
    return 'dummy'
  } catch (err) {
    if (!/Unknown device type|not supported/i.test((err as Error).message)) throw err
  }
  await ipIn(ns, ['link', 'add', name, ...macArgs(opts.mac), 'type', 'ifb'])
  return 'ifb'
}

/** A Linux bridge with STP off (ports forward at once). */
export async function addBridge(ns: Netns, name: string, opts: LinkOptions = {}): Promise<void> {
  await ipIn(ns, ['link', 'add', name, ...macArgs(opts.mac), 'type', 'bridge', 'stp_state', '0'])
}

export async function setMaster(ns: Netns, dev: string, bridge: string): Promise<void> {
  await ipIn(ns, ['link', 'set', dev, 'master', bridge])
}

/** Moves a link into another namespace (keeps its name). */
export async function moveLink(ns: Netns, dev: string, to: Netns): Promise<void> {
  await ipIn(ns, ['link', 'set', dev, 'netns', to.name])
}

export async function linkUp(ns: Netns, dev: string): Promise<void> {
  await ipIn(ns, ['link', 'set', dev, 'up'])
}

export async function linkDown(ns: Netns, dev: string): Promise<void> {
  await ipIn(ns, ['link', 'set', dev, 'down'])
}

export interface AddressOptions {
  /** IPv6: skip duplicate address detection, so the address is usable at once. */
  readonly nodad?: boolean
  /** Seconds; 0 makes the address deprecated. */
  readonly preferredLft?: number
  readonly noprefixroute?: boolean
}

/** `ip addr add CIDR dev DEV`. An IPv6 address without `nodad` is tentative until DAD ends. */
export async function addAddress(ns: Netns, dev: string, cidr: string, opts: AddressOptions = {}): Promise<void> {
  await ipIn(ns, [
    'addr', 'add', cidr, 'dev', dev,
    ...(opts.nodad ? ['nodad'] : []),
    ...(opts.preferredLft === undefined ? [] : ['preferred_lft', String(opts.preferredLft)]),
    ...(opts.noprefixroute ? ['noprefixroute'] : []),
  ])
}

/** `ip route add DEST [via GW] [dev DEV]`; IPv6 is recognised from the destination. */
export async function addRoute(ns: Netns, dest: string, opts: { via?: string; dev?: string; src?: string }): Promise<void> {
  const family = dest.includes(':') || opts.via?.includes(':') ? ['-6'] : []
  await ipIn(ns, [
    ...family, 'route', 'add', dest,
    ...(opts.via ? ['via', opts.via] : []),
    ...(opts.dev ? ['dev', opts.dev] : []),
    ...(opts.src ? ['src', opts.src] : []),
  ])
}

/** `sysctl -w key=value` inside the namespace (net.* keys are per namespace). */
export async function sysctl(ns: Netns, key: string, value: string | number): Promise<void> {
  await exec(ns, 'sysctl', ['-q', '-w', `${key}=${value}`])
}

/** Polls until the link's operstate is one of `states` (e.g. a veth waiting for its peer). */
export async function waitForOperstate(ns: Netns, dev: string, states: readonly string[], timeoutMs = 30_000): Promise<void> {
  await pollUntil(`${dev} in ${ns.name} to be ${states.join('/')}`, async () => {
    const [link] = JSON.parse(await ipIn(ns, ['-j', 'link', 'show', dev])) as { operstate?: string }[]
    return link?.operstate !== undefined && states.includes(link.operstate)
  }, { timeoutMs })
}

function macArgs(mac: string | undefined): string[] {
  return mac === undefined ? [] : ['address', mac]
}

// ─── /etc/netns ─────────────────────────────────────────────────────────────

/**
 * Writes /etc/netns/<ns>/<file>; `ip netns exec` bind-mounts it over /etc/<file> for
 * commands run there (only when /etc/<file> exists on the host). Deleted with the namespace.
 */
export async function writeNetnsEtc(ns: Netns, file: string, text: string): Promise<void> {
  if (file.includes('/') || file.startsWith('.')) throw new NetnsError(`/etc/netns file name "${file}": a plain file name is expected`)
  const dir = join(NETNS_ETC, ns.name)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, file), text)
}

/** The namespace's /etc/hosts, for name look-ups (`can-reach=NAME`) with no DNS involved. */
export async function writeNetnsHosts(ns: Netns, text: string): Promise<void> {
  await writeNetnsEtc(ns, 'hosts', text)
}

/**
 * Points the namespace's resolver at its own loopback, where nothing listens: a name
 * missing from its hosts file then fails at once instead of asking a real DNS server.
 */
export async function isolateNetnsResolver(ns: Netns): Promise<void> {
  await writeNetnsEtc(ns, 'resolv.conf', 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n')
}

// ─── long-running processes ─────────────────────────────────────────────────

export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface NetnsChild extends ChildProcess {
  readonly ns: Netns
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>
  /** The last 256 KiB of stdout and stderr, interleaved (only when they are piped). */
  output(): string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<ExitStatus>
}

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** Default: stdin ignored, stdout and stderr piped and kept (see `output()`). */
  readonly stdio?: StdioOptions
  /** How long teardown waits after SIGTERM before SIGKILL (default 5 s). */
  readonly graceMs?: number
}

const OUTPUT_KEEP = 256 * 1024

/**
 * Starts `cmd args…` inside the namespace and registers its stop on `t.teardown`.
 * `ip netns exec` execs the command in place, so the child's PID is the command's own.
 */
export function spawnInNetns(
  t: TeardownHost,
  ns: Netns,
  cmd: string,
  args: readonly string[],
  opts: SpawnOptions = {},
): NetnsChild {
  const child = spawn('ip', ['netns', 'exec', ns.name, cmd, ...args], {
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
    ...(opts.env && { env: opts.env }),
    ...(opts.cwd && { cwd: opts.cwd }),
  })
  let kept = ''
  const keep = (chunk: Buffer) => {
    kept = (kept + chunk.toString('utf8')).slice(-OUTPUT_KEEP)
  }
  // Reading the pipes also keeps a chatty child from blocking on a full pipe.
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<ExitStatus>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode })
    child.once('exit', (code, signal) => resolve({ code, signal }))
    // spawn failures (ENOENT…) arrive as 'error' with no 'exit'.
    child.once('error', () => resolve({ code: child.exitCode ?? -1, signal: child.signalCode }))
  })
  const stop = (graceMs = opts.graceMs ?? 5_000) => stopChild(child, exited, graceMs)
  const result = Object.assign(child, { ns, exited, output: () => kept, stop })
  t.teardown(() => quietly(`stopping ${cmd} (pid ${child.pid ?? '?'}) in ${ns.name}`, () => stop()))
  return result
}

async function stopChild(child: ChildProcess, exited: Promise<ExitStatus>, graceMs: number): Promise<ExitStatus> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited
  signal(child.pid, 'SIGTERM')
  if ((await raceTimeout(exited, graceMs)) === undefined) signal(child.pid, 'SIGKILL')
  return exited
}

/** SIGTERM every PID, wait up to `graceMs` for all to go, SIGKILL the rest. */
async function stopPids(pids: readonly number[], graceMs: number): Promise<void> {
  if (pids.length === 0) return
  for (const pid of pids) signal(pid, 'SIGTERM')
  const gone = () => pids.every((pid) => !alive(pid))
  try {
    await pollUntil('processes to exit after SIGTERM', gone, { timeoutMs: graceMs, intervalMs: 50 })
  } catch {
    for (const pid of pids) signal(pid, 'SIGKILL')
    await pollUntil('processes to exit after SIGKILL', gone, { timeoutMs: 10_000, intervalMs: 50 })
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// ─── utilities ──────────────────────────────────────────────────────────────

/**
 * Polls `check` until it returns something truthy (which is returned), or rejects after
 * `timeoutMs` naming `what`. Errors thrown by `check` count as "not yet". Generous
 * defaults: the machines running tests are small and busy.
 */
export async function pollUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  const intervalMs = opts.intervalMs ?? 100
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v as NonNullable<T>
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new NetnsError(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** A teardown stack for scripts (the lab) outside tap: `await teardowns.run()` at exit. */
export class Teardowns implements TeardownHost {
  readonly #fns: (() => unknown)[] = []
  teardown(fn: () => unknown): void {
    this.#fns.push(fn)
  }
  /** Last in, first out, like tap; every function runs even if an earlier one fails. */
  async run(): Promise<void> {
    for (let fn = this.#fns.pop(); fn !== undefined; fn = this.#fns.pop()) {
      await quietly('teardown', fn)
    }
  }
}

async function run(cmd: string, args: readonly string[]): Promise<string> {
  const r = await execa(cmd, args, { reject: false, timeout: 60_000, stdin: 'ignore' })
  if (r.failed || r.exitCode !== 0) {
    throw new NetnsError(`\`${[cmd, ...args].join(' ')}\` failed (${r.shortMessage}): ${r.stderr.trim()}`)
  }
  return r.stdout
}

async function raceTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/**
 * tap drops the remaining teardowns when one throws, which would leak namespaces and
 * processes: teardown work reports its failure on stderr and never throws.
 */
async function quietly(what: string, fn: () => unknown): Promise<void> {
  try {
    await fn()
  } catch (err) {
    process.stderr.write(`netns helper: ${what} failed: ${err instanceof Error ? err.message : String(err)}\n`)
  }
}
