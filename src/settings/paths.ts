import { join } from 'node:path'

/**
 * Every filesystem path falconer touches, derived in one place. The defaults are the
 * paths Calico operators know; a prefix relocates all of them at once (labs run several
 * nodes on one host, tests must never touch the real /etc or /var).
 */
export interface Paths {
  readonly prefix: string
  readonly clientConfig: string
  readonly runDir: string
  readonly birdSocket: string
  readonly bird6Socket: string
  readonly birdPid: string
  readonly bird6Pid: string
  readonly agentPid: string
  readonly confdDir: string
  readonly birdConfig: string
  readonly bird6Config: string
  /** The GoBGP backend's gobgpd config (TOML) and its gRPC API socket (never a TCP port). */
  readonly gobgpConfig: string
  readonly gobgpSocket: string
  readonly gobgpPid: string
  /** Operator overrides for templates/*.hbs, watched by the agent. */
  readonly templateOverrideDir: string
  readonly nodenameFile: string
  readonly stateDir: string
  readonly logDir: string
  readonly secretsDir: string
  readonly envFile: string
}

export type PathOverrides = { -readonly [K in Exclude<keyof Paths, 'prefix'>]?: string }

/** `under('/x', '/etc/calico')` → `/x/etc/calico`; an empty prefix leaves paths as they are. */
function under(prefix: string, absolute: string): string {
  return prefix === '' || prefix === '/' ? absolute : join(prefix, absolute)
}

export function derivePaths(prefix = '', overrides: PathOverrides = {}): Paths {
  const p = (abs: string) => under(prefix, abs)
  const runDir = overrides.runDir ?? p('/var/run/calico')
  const confdDir = overrides.confdDir ?? p('/etc/calico/confd')
  const stateDir = overrides.stateDir ?? p('/var/lib/calico')
  const defaults: Paths = {
    prefix,
    clientConfig: p('/etc/calico/calicoctl.cfg'),
    runDir,
    birdSocket: join(runDir, 'bird.ctl'),
    bird6Socket: join(runDir, 'bird6.ctl'),
    birdPid: join(runDir, 'bird.pid'),
    bird6Pid: join(runDir, 'bird6.pid'),
    agentPid: join(runDir, 'falconer.pid'),
    confdDir,
    birdConfig: join(confdDir, 'config', 'bird.cfg'),
    bird6Config: join(confdDir, 'config', 'bird6.cfg'),
    gobgpConfig: join(confdDir, 'config', 'gobgpd.toml'),
    gobgpSocket: join(runDir, 'gobgp.sock'),
    gobgpPid: join(runDir, 'gobgpd.pid'),
    templateOverrideDir: join(confdDir, 'templates'),
    nodenameFile: join(stateDir, 'nodename'),
    stateDir,
    logDir: p('/var/log/calico'),
    secretsDir: p('/etc/calico/secrets'),
    envFile: p('/etc/calico/calico.env'),
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined))
  return { ...defaults, ...defined }
}
