import type { Env, NodeRunConfig } from './run-config.js'

/**
 * How `node run` starts the agent: the exact program, arguments and environment of the
 * `node run --init-system` child. Built once, purely; `--dryrun` prints it and the detach
 * path spawns it, so what is printed is what would run.
 */
export interface LaunchPlan {
  /** The Node.js binary. */
  readonly execPath: string
  /** `[…AGENT_NODE_FLAGS, bin/falconer, 'node', 'run', '--init-system', …]`. */
  readonly args: readonly string[]
  /** The child's whole environment (it does not inherit ours). */
  readonly env: Readonly<Record<string, string>>
  /** Where the detached child's stdout and stderr go. */
  readonly logFile: string
  /** Written by the agent; `node stop` signals the pid in it. */
  readonly pidFile: string
}

export interface LaunchPlanInput {
  readonly config: NodeRunConfig
  /** Pinned, so a later hostname change cannot rename the node (as calicoctl does). */
  readonly nodeName: string
  readonly execPath: string
  readonly binPath: string
  /** The settings flags this command got (`--prefix=…`, `--config=…`), passed on as they were. */
  readonly settingsArgs: readonly string[]
  readonly env: Env
  readonly logFile: string
  readonly pidFile: string
}

/**
 * Flags for the agent's node process. 1 MiB semi-spaces instead of V8's default (young
 * generation up to 16 MiB each): the idle agent is ~24 MiB smaller (measured in
 * bench/README.md, 113 → 89 MiB mean at 1,000 nodes) with no measurable CPU cost at start.
 * V8 reads them only when the process starts, so they must be on its command line; the
 * systemd unit sets NODE_OPTIONS to the same.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1']

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** Settings the child reads from its environment: the datastore and falconer's own paths. */
const SETTINGS_ENV = [
  'DATASTORE_TYPE',
  'ETCD_ENDPOINTS',
  'ETCD_USERNAME',
  'ETCD_PASSWORD',
  'ETCD_CA_CERT_FILE',
  'ETCD_CERT_FILE',
  'ETCD_KEY_FILE',
  'CALICOCTL_CONFIG',
] as const

/** Values printed by reference, never literally, so `--dryrun` output can be pasted into a ticket. */
const SECRET_ENV = new Set(['ETCD_PASSWORD'])

export function agentLaunchPlan(input: LaunchPlanInput): LaunchPlan {
  const { config, env } = input
  const childEnv: Record<string, string> = { PATH: nonEmpty(env.PATH) ?? DEFAULT_PATH }
  for (const name of SETTINGS_ENV) {
    const v = nonEmpty(env[name])
    if (v !== undefined) childEnv[name] = v
  }
  for (const name of Object.keys(env).filter((k) => k.startsWith('FALCONER_')).sort()) {
    const v = nonEmpty(env[name])
    if (v !== undefined) childEnv[name] = v
  }
  if (config.defaultPools.create) {
    if (config.defaultPools.ipv4Cidr !== undefined) childEnv.CALICO_IPV4POOL_CIDR = config.defaultPools.ipv4Cidr
    if (config.defaultPools.ipv6Cidr !== undefined) childEnv.CALICO_IPV6POOL_CIDR = config.defaultPools.ipv6Cidr
  }
  if (config.routerId !== undefined) childEnv.CALICO_ROUTER_ID = config.routerId

  return {
    execPath: input.execPath,
    args: [...AGENT_NODE_FLAGS, input.binPath, 'node', 'run', '--init-system', ...input.settingsArgs, ...agentFlags(config, input.nodeName)],
    env: childEnv,
    logFile: input.logFile,
    pidFile: input.pidFile,
  }
}

/** The config as `node run` flags, in a fixed order. */
export function agentFlags(config: NodeRunConfig, nodeName: string): string[] {
  const flags = [`--node=${nodeName}`]
  const address = (flag: string, s: NodeRunConfig['ipv4']) => {
    if (s.kind === 'explicit') flags.push(`${flag}=${s.ip}${s.prefixlen === undefined ? '' : `/${s.prefixlen}`}`)
    else if (s.kind === 'autodetect') flags.push(`${flag}=autodetect`)
  }
  address('--ip', config.ipv4)
  address('--ip6', config.ipv6)
  if (config.ipv4Autodetection.text !== 'first-found') flags.push(`--ip-autodetection-method=${config.ipv4Autodetection.text}`)
  if (config.ipv6Autodetection.text !== 'first-found') flags.push(`--ip6-autodetection-method=${config.ipv6Autodetection.text}`)
  if (config.asNumber !== undefined) flags.push(`--as=${config.asNumber.value}`)
  flags.push(`--backend=${config.backend}`)
  if (!config.defaultPools.create) flags.push('--no-default-ippools')
  if (config.logDir !== undefined) flags.push(`--log-dir=${config.logDir}`)
  return flags
}

/** `env -i K=V … node bin/falconer node run --init-system …`, runnable as printed. */
export function formatCommand(plan: LaunchPlan): string {
  const env = Object.entries(plan.env).map(([k, v]) => (SECRET_ENV.has(k) ? `${k}="$${k}"` : `${k}=${shellQuote(v)}`))
  return ['env', '-i', ...env, shellQuote(plan.execPath), ...plan.args.map(shellQuote)].join(' ')
}

/** What `node run --dryrun` prints, in the shape of `calicoctl node run --dryrun`. */
export function renderDryRun(plan: LaunchPlan, mode: { initSystem: boolean; registerOnly: boolean }, nodeName: string): string {
  if (mode.registerOnly) {
    return [
      `With --runtime=none nothing is started: falconer registers node '${nodeName}' in the datastore and exits.`,
      '',
    ].join('\n')
  }
  const command = formatCommand(plan)
  if (mode.initSystem) {
    return [
      'Use the following command to start the falconer agent:',
      '',
      command,
      '',
      'Use the following command to stop the falconer agent:',
      '',
      `kill -TERM "$(cat ${shellQuote(plan.pidFile)})"`,
      '',
    ].join('\n') + '\n'
  }
  return [
    'Use the following command to start the falconer agent:',
    '',
    `setsid ${command} >>${shellQuote(plan.logFile)} 2>&1 </dev/null &`,
    '',
    'If you are running falconer in an init system, use the --init-system flag',
    'to display the appropriate start and stop commands.',
    '',
  ].join('\n')
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

export function shellQuote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s
  return `'${s.replace(/'/g, `'\\''`)}'`
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}
