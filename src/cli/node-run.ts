import { resolve } from 'node:path'
import type { Command } from 'commander'
import { runAgent } from '../agent.js'
import { createLogger } from '../log.js'
import { DEFAULT_READY_TIMEOUT_MS, startDetached } from '../node/lifecycle/detach.js'
import { runForeground } from '../node/lifecycle/foreground.js'
import { resolveNodeName } from '../node/nodename.js'
import { agentLaunchPlan, renderDryRun } from '../node/startup/launch-plan.js'
import { defaultStartupDeps } from '../node/startup/deps.js'
import { StartupError } from '../node/startup/errors.js'
import { DOCKER_ONLY_FLAGS, resolveNodeRunConfig, type NodeRunConfig, type NodeRunFlags } from '../node/startup/run-config.js'
import { runStartup } from '../node/startup/startup.js'
import { loadSettings, type Settings } from '../settings/index.js'
import { cliLogger, globalFlags, write, writeErr, type GlobalFlags } from './context.js'
import { ReportedError, errorLine } from './errors.js'
import { nodeFlag } from './node-flag.js'

/** The refused (hidden) flags the operator typed, by their long names. */
function typedUnsupported(command: Command): string[] {
  const typed: string[] = []
  for (const option of command.options) {
    if (!option.hidden || option.long === undefined || option.long === '--name') continue
    if (command.getOptionValueSource(option.attributeName()) === 'cli') typed.push(option.long)
  }
  return typed
}

export function nodeRunFlags(command: Command): NodeRunFlags {
  const o = command.opts<Record<string, unknown>>()
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const flags: NodeRunFlags = { unsupported: typedUnsupported(command) }
  const set = <K extends keyof NodeRunFlags>(key: K, value: NodeRunFlags[K] | undefined) => {
    if (value !== undefined) flags[key] = value
  }
  set('ip', str(o.ip))
  set('ip6', str(o.ip6))
  set('as', str(o.as))
  set('name', nodeFlag(o, ['--name']))
  set('ipAutodetectionMethod', str(o.ipAutodetectionMethod))
  set('ip6AutodetectionMethod', str(o.ip6AutodetectionMethod))
  const logDir = str(o.logDir)
  // Absolute, because the detached agent runs from / and the dry run must be pasteable anywhere.
  set('logDir', logDir === undefined || logDir === '' ? undefined : resolve(logDir))
  set('backend', str(o.backend))
  if (o.defaultIppools === false) flags.noDefaultIppools = true
  if (o.dryrun === true) flags.dryrun = true
  if (o.initSystem === true) flags.initSystem = true
  set('runtime', str(o.runtime))
  set('detach', str(o.detach))
  return flags
}

/** The settings flags, absolute, as the agent's command line carries them. */
export function settingsArgs(g: GlobalFlags): string[] {
  const args: string[] = []
  if (g.config !== undefined) args.push(`--config=${resolve(g.config)}`)
  if (g.prefix !== undefined) args.push(`--prefix=${g.prefix === '' ? '' : resolve(g.prefix)}`)
  if (g.datastoreTimeout !== undefined) args.push(`--datastore-timeout=${g.datastoreTimeout}`)
  if (g.logLevel !== undefined) args.push(`--log-level=${g.logLevel}`)
  if (g.birdBin !== undefined) args.push(`--bird-bin=${g.birdBin.includes('/') ? resolve(g.birdBin) : g.birdBin}`)
  return args
}

const say = (line: string): void => write(`${line}\n`)

export async function nodeRun(_opts: unknown, command: Command): Promise<void> {
  const env = process.env
  const config = resolveNodeRunConfig(nodeRunFlags(command), env)
  const g = globalFlags(command)
  const load = () => loadSettings({ ...g, ...(config.logDir !== undefined && { paths: { logDir: config.logDir } }) }, env)
  const settings = load()
  try {
    await checkBirdFirst(config, settings)
    await runMode(command, config, settings, g, load)
  } catch (err) {
    if (!(err instanceof StartupError)) throw err
    // The reason in the CLI's one error style, then what to do about it (calico/node's hint lines).
    writeErr(`${errorLine(err, 'node')}\n`)
    for (const hint of err.hints) writeErr(` -  ${hint}\n`)
    throw new ReportedError(1)
  }
}

/**
 * A --bird-bin / FALCONER_BIRD_BIN that is not a BIRD falconer can drive would only fail
 * once the agent starts, after the node was registered and a block claimed. Modes that
 * start BIRD ask it for its version before anything is written to the datastore.
 */
async function checkBirdFirst(config: NodeRunConfig, settings: Settings): Promise<void> {
  const startsBird = config.backend === 'bird' && (config.mode.kind === 'foreground' || config.mode.kind === 'detach')
  if (!startsBird) return
  const { BirdVersionError, probeBird } = await import('../backends/backend.js')
  try {
    await probeBird(settings.birdBin)
  } catch (err) {
    if (err instanceof BirdVersionError) throw new StartupError(err.message)
    throw err
  }
}

async function runMode(
  command: Command,
  config: NodeRunConfig,
  settings: Settings,
  g: GlobalFlags,
  reloadSettings: () => Settings,
): Promise<void> {
  const mode = config.mode
  switch (mode.kind) {
    case 'dryrun': {
      const nodeName = resolveNodeName({ name: config.nodeName?.value, nodenameFile: settings.paths.nodenameFile })
      write(renderDryRun(launchPlan(config, settings, g, nodeName), mode, nodeName))
      return
    }
    case 'register-only': {
      const log = cliLogger(command, settings)
      const result = await runStartup(
        { config, nodenameFile: settings.paths.nodenameFile, endpoints: settings.datastore.endpoints },
        defaultStartupDeps(settings.datastore, log),
        say,
      )
      say(`Calico node '${result.nodeName}' registered (--runtime=none: nothing started)`)
      return
    }
    case 'foreground': {
      const log = createLogger(settings.logLevel)
      const controller = new AbortController()
      const stop = () => controller.abort()
      process.once('SIGTERM', stop)
      process.once('SIGINT', stop)
      try {
        await runForeground({
          config,
          settings,
          log,
          startupDeps: defaultStartupDeps(settings.datastore, log),
          runAgent,
          reloadSettings,
          signal: controller.signal,
          say,
        })
      } finally {
        process.off('SIGTERM', stop)
        process.off('SIGINT', stop)
        // A stage that forgot a handle must not keep a stopped agent alive past systemd's timeout.
        setTimeout(() => process.exit(), 5_000).unref()
      }
      return
    }
    case 'detach': {
      const nodeName = resolveNodeName({ name: config.nodeName?.value, nodenameFile: settings.paths.nodenameFile })
      await startDetached({ plan: launchPlan(config, settings, g, nodeName), say, readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS })
      return
    }
  }
}

function launchPlan(config: NodeRunConfig, settings: Settings, g: GlobalFlags, nodeName: string) {
  return agentLaunchPlan({
    config,
    nodeName,
    execPath: process.execPath,
    binPath: resolve(process.argv[1] ?? 'falconer'),
    settingsArgs: settingsArgs(g),
    env: process.env,
    logFile: `${settings.paths.logDir}/falconer.log`,
    pidFile: settings.paths.agentPid,
  })
}
