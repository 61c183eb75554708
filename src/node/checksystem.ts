import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { DatastoreSettings, Settings } from '../settings/settings.js'
import type { Backend } from './startup/run-config.js'

/**
 * `falconer node checksystem`: whether this host can run falconer, one line per check with
 * `ok`, `warning` or `problem` and, for the latter two, the fix. Every check runs whatever
 * the others found, so one run lists everything to repair.
 */
export type CheckLevel = 'ok' | 'warning' | 'problem'

export interface CheckResult {
  readonly name: string
  readonly level: CheckLevel
  readonly detail: string
  readonly fix?: string
}

/** CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12), CAP_NET_RAW (13): what the unit grants. */
const NEEDED_CAPS: readonly [string, number][] = [['CAP_NET_ADMIN', 12], ['CAP_NET_BIND_SERVICE', 10], ['CAP_NET_RAW', 13]]
const MIN_NODE: readonly [number, number] = [20, 19]
/** The Date header has whole seconds; more than this is a clock that is really off. */
const MAX_SKEW_S = 2

export interface CheckSystemOptions {
  readonly settings: Settings
  /** Whose daemon to look for (node run's --backend); default bird. */
  readonly backend?: Backend
  /** Root for /proc and unit files (tests); default '/'. */
  readonly root?: string
  readonly nodeVersion?: string
}

export async function checkSystem(o: CheckSystemOptions): Promise<CheckResult[]> {
  const root = o.root ?? '/'
  return [
    await checkDaemon(o.backend ?? 'bird', o.settings),
    ...(await checkForwarding(root)),
    await checkCapabilities(root),
    await checkEtcd(o.settings.datastore),
    await checkClock(o.settings.datastore),
    checkNode(o.nodeVersion ?? process.version),
    checkHostBirdService(root),
  ]
}

export function formatCheck(r: CheckResult): string {
  const head = `${r.level.padEnd(8)}${r.name}: ${r.detail}`
  return r.fix === undefined ? head : `${head}\n${' '.repeat(8)}fix: ${r.fix}`
}

async function checkDaemon(backend: Backend, settings: Settings): Promise<CheckResult> {
  if (backend === 'gobgp') return checkGobgp(settings.gobgpdBin, settings.gobgpBin)
  if (backend === 'none') return { name: 'BGP daemon', level: 'ok', detail: 'none needed (--backend=none registers the node only)' }
  return checkBird(settings.birdBin)
}

/** The GoBGP backend runs gobgpd and talks to it with the gobgp client: both must answer. */
async function checkGobgp(gobgpdBin: string, gobgpBin: string): Promise<CheckResult> {
  const version = async (bin: string): Promise<string | undefined> => /^\S+ version (\d[\w.-]*)\s*$/m.exec((await output(bin, ['--version'])) ?? '')?.[1]
  const [daemon, client] = await Promise.all([version(gobgpdBin), version(gobgpBin)])
  if (daemon !== undefined && client !== undefined) return { name: 'BGP daemon', level: 'ok', detail: `gobgpd ${daemon}, gobgp ${client}` }
  const missing = [daemon === undefined && `${gobgpdBin} (FALCONER_GOBGPD_BIN)`, client === undefined && `${gobgpBin} (FALCONER_GOBGP_BIN)`].filter(Boolean)
  return {
    name: 'BGP daemon',
    level: 'problem',
    detail: `${missing.join(' and ')} ${missing.length > 1 ? 'do' : 'does'} not answer --version`,
    fix: 'apt-get install gobgpd (it brings gobgpd and gobgp), or point FALCONER_GOBGPD_BIN / FALCONER_GOBGP_BIN at them',
  }
}

/** The BIRD the agent would drive (FALCONER_BIRD_BIN / --bird-bin): 1.6 with bird6 beside it, or 2.x. */
async function checkBird(birdBin: string): Promise<CheckResult> {
  const { probeBird } = await import('../backends/backend.js')
  try {
    const install = await probeBird(birdBin)
    if (install.generation === 2) {
      return { name: 'BGP daemon', level: 'ok', detail: `${install.bird} ${install.version} (BIRD 2: one daemon for both families)` }
    }
    const bird6 = await output(install.bird6 ?? 'bird6', ['--version'])
    const v6 = bird6 && /BIRD version (\S+)/.exec(bird6)
    if (v6) return { name: 'BGP daemon', level: 'ok', detail: `bird ${install.version}, bird6 ${v6[1]}` }
    return { name: 'BGP daemon', level: 'problem', detail: `bird ${install.version} found, bird6 not`, fix: 'apt-get install bird (BIRD 1.6: bird and bird6)' }
  } catch (err) {
    const gobgp = await output('gobgpd', ['--version'])
    return {
      name: 'BGP daemon',
      level: 'problem',
      detail: `${(err as Error).message}${gobgp ? `; gobgpd is installed (${gobgp.trim()}): for the GoBGP backend, check with --backend=gobgp` : ''}`,
      fix: 'apt-get install bird (BIRD 1.6), or point FALCONER_BIRD_BIN / --bird-bin at a BIRD 2 executable',
    }
  }
}

async function checkForwarding(root: string): Promise<CheckResult[]> {
  const out: CheckResult[] = []
  for (const [family, key, file] of [
    ['IPv4', 'net.ipv4.ip_forward', 'proc/sys/net/ipv4/ip_forward'],
    ['IPv6', 'net.ipv6.conf.all.forwarding', 'proc/sys/net/ipv6/conf/all/forwarding'],
  ] as const) {
    const value = (await readFile(`${root}/${file}`, 'utf8').catch(() => '')).trim()
    out.push(
      value === '1'
        ? { name: `${family} forwarding`, level: 'ok', detail: `${key} = 1` }
        : {
            name: `${family} forwarding`,
            level: 'problem',
            detail: value === '' ? `${key} cannot be read` : `${key} = ${value}`,
            fix: `sysctl -w ${key}=1 (falconer node run sets it at start; persist it in /etc/sysctl.d/)`,
          },
    )
  }
  return out
}

async function checkCapabilities(root: string): Promise<CheckResult> {
  const status = await readFile(`${root}/proc/self/status`, 'utf8').catch(() => '')
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1]
  if (hex === undefined) return { name: 'capabilities', level: 'problem', detail: 'cannot read CapEff from /proc/self/status' }
  const eff = BigInt(`0x${hex}`)
  const missing = NEEDED_CAPS.filter(([, bit]) => (eff & (1n << BigInt(bit))) === 0n).map(([name]) => name)
  const unit = ['etc/systemd/system/falconer.service', 'lib/systemd/system/falconer.service'].map((f) => `${root}/${f}`).find((f) => existsSync(f))
  const unitText = unit === undefined ? '' : await readFile(unit, 'utf8').catch(() => '')
  const bounding = /^CapabilityBoundingSet=(.*)$/m.exec(unitText)?.[1]
  const unitMissing = bounding === undefined ? [] : NEEDED_CAPS.map(([n]) => n).filter((n) => !bounding.split(/\s+/).includes(n))
  if (missing.length === 0 && unitMissing.length === 0) {
    return { name: 'capabilities', level: 'ok', detail: `${NEEDED_CAPS.map(([n]) => n).join(', ')} held${unit ? `; ${unit} grants them` : ''}` }
  }
  if (unitMissing.length > 0) {
    return { name: 'capabilities', level: 'problem', detail: `${unit} does not grant ${unitMissing.join(', ')}`, fix: `add them to CapabilityBoundingSet= and AmbientCapabilities= (systemctl edit falconer)` }
  }
  return {
    name: 'capabilities',
    level: 'warning',
    detail: `this shell lacks ${missing.join(', ')} (the agent needs them; the unit grants them)`,
    fix: 'run the agent through falconer.service, or as root',
  }
}

async function checkEtcd(ds: DatastoreSettings): Promise<CheckResult> {
  const { EtcdStore } = await import('../datastore/etcd-store.js')
  try {
    const store = await EtcdStore.connect(ds)
    try {
      await store.list('IPPool')
      return { name: 'etcd', level: 'ok', detail: `reachable at ${ds.endpoints.join(',')}` }
    } finally {
      await store.close().catch(() => undefined)
    }
  } catch (err) {
    return {
      name: 'etcd',
      level: 'problem',
      detail: `${ds.endpoints.join(',')}: ${err instanceof Error ? err.message : String(err)}`,
      fix: 'check ETCD_ENDPOINTS (and the ETCD_* TLS files) in /etc/calico/calico.env or calicoctl.cfg, and that etcd runs',
    }
  }
}

/** Skew from etcd's HTTP Date header (GET /version), read at the midpoint of the request. */
async function checkClock(ds: DatastoreSettings): Promise<CheckResult> {
  const endpoint = ds.endpoints[0]
  if (endpoint === undefined) return { name: 'clock', level: 'problem', detail: 'no etcd endpoint to compare with', fix: 'set ETCD_ENDPOINTS' }
  try {
    const { date, sent, received } = await etcdDate(endpoint, ds)
    const skew = (date - (sent + received) / 2) / 1000
    const detail = `${skew >= 0 ? '+' : ''}${skew.toFixed(1)}s against etcd (${endpoint})`
    return Math.abs(skew) <= MAX_SKEW_S
      ? { name: 'clock', level: 'ok', detail }
      : { name: 'clock', level: 'problem', detail, fix: 'synchronise the clock (systemd-timesyncd or chrony) on this host and on etcd' }
  } catch (err) {
    return { name: 'clock', level: 'problem', detail: `cannot read etcd's time: ${err instanceof Error ? err.message : String(err)}`, fix: 'make etcd reachable first' }
  }
}

async function etcdDate(endpoint: string, ds: DatastoreSettings): Promise<{ date: number; sent: number; received: number }> {
  const url = new URL('/version', endpoint)
  const tls = url.protocol === 'https:'
  const [ca, cert, key] = await Promise.all([ds.caCertFile, ds.certFile, ds.keyFile].map((f) => (tls && f ? readFile(f) : undefined)))
  return new Promise((resolve, reject) => {
    const sent = Date.now()
    const req = (tls ? httpsRequest : httpRequest)(url, { method: 'GET', timeout: ds.timeoutMs, ...(tls && { ca, cert, key }) }, (res) => {
      const received = Date.now()
      res.resume()
      const date = Date.parse(res.headers.date ?? '')
      if (Number.isNaN(date)) reject(new Error('no Date header in etcd\'s reply'))
      else resolve({ date, sent, received })
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ds.timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

function checkNode(version: string): CheckResult {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number)
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
  return ok
    ? { name: 'Node.js', level: 'ok', detail: version }
    : { name: 'Node.js', level: 'problem', detail: `${version}; falconer needs ${MIN_NODE.join('.')} or newer`, fix: 'install nodejs 20.19+ (e.g. NodeSource\'s nodejs package)' }
}

/** Debian's bird package enables its own bird.service: two BIRDs would fight over the routes. */
function checkHostBirdService(root: string): CheckResult {
  const enabled = ['bird.service', 'bird6.service']
    .filter((u) => existsSync(`${root}/etc/systemd/system/multi-user.target.wants/${u}`))
  return enabled.length === 0
    ? { name: 'host BIRD service', level: 'ok', detail: 'bird.service and bird6.service not enabled' }
    : {
        name: 'host BIRD service',
        level: 'warning',
        detail: `${enabled.join(', ')} enabled: a BIRD outside falconer would program routes too`,
        fix: `systemctl disable --now ${enabled.join(' ')} (falconer runs its own BIRD)`,
      }
}

function output(cmd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => resolve(err ? undefined : `${stdout}${stderr}`))
  })
}
