import { dirname } from 'node:path'
import { execa } from 'execa'
import { ConfigApplier, type ApplyOutcome } from '../../bgp/apply/config-applier.js'
import { buildIntent, holdsPassword } from '../../bgp/intent/index.js'
import type { BgpIntent } from '../../bgp/intent/types.js'
import type { Applier } from '../../bgp/reconciler.js'
import type { RenderedConfigs } from '../../bgp/render-configs.js'
import type { BirdDaemonSpec } from '../../bird/supervisor/daemons.js'
import type { Logger } from '../../log.js'
import type { Paths } from '../../settings/paths.js'
import type { Backend, BackendRenderInput, BackendRuntime, GobgpInstall } from '../backend.js'
import { checkWithGobgpd, GobgpReloader } from './apply.js'
import { GobgpCli } from './gobgp-cli.js'
import type { KernelProgrammer, KernelProgrammerFactory } from './kernel/types.js'
import { Originator, type Originated } from './originator.js'
import { gobgpReaders } from './readers.js'
import { createKernelProgrammer } from './kernel/programmer.js'
import { localBlocks, originatedPrefixes, renderGobgpConfig, unprogrammedRanges } from './render.js'

/**
 * What can make the export policy reject, towards some peer, a route it accepted before:
 * each session's BGPFilter export rules, per family. When a family's changes, this node's
 * routes of that family are advertised again (see Originator.readvertise). Pools with
 * disableBGPExport are not here: their blocks are simply not originated.
 */
function exportRestrictions(intent: BgpIntent): Record<'v4' | 'v6', string> {
  const of = (f: BgpIntent['v4']) =>
    JSON.stringify(
      f.enabled
        ? {
            filters: f.bgpFilters.map((x) => [x.id, x.export ?? []]),
            peers: f.peers.filter((p) => p.exportFilters.length > 0).map((p) => [p.name, p.exportFilters]),
          }
        : null,
    )
  return { v4: of(intent.v4), v6: of(intent.v6) }
}

/** Polls gobgpd's API for up to 30 s (the originator's own retries take over after that). */
async function untilAnswering(cli: GobgpCli): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!(await cli.answers()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
}

/** gobgpd could not tell its version, or it cannot be run. */
export class GobgpVersionError extends Error {
  override readonly name = 'GobgpVersionError'
  constructor(
    readonly binary: string,
    readonly reason: string,
  ) {
    super(`gobgpd executable ${binary}: ${reason} (set FALCONER_GOBGPD_BIN to gobgpd 3.x)`)
  }
}

/** `gobgpd --version` → "gobgpd version 3.10.0". */
export async function probeGobgp(gobgpd: string, gobgp: string): Promise<GobgpInstall> {
  const r = await execa(gobgpd, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' })
  if (r.failed && r.exitCode === undefined) throw new GobgpVersionError(gobgpd, `cannot run it: ${r.shortMessage}`)
  const m = /gobgpd version (\d+\.\d+(?:\.\d+)?)/.exec(`${r.stdout}\n${r.stderr}`)
  if (m === null) throw new GobgpVersionError(gobgpd, `--version printed no gobgpd version: ${JSON.stringify(`${r.stdout}${r.stderr}`.slice(0, 200))}`)
  if (Number(m[1]!.split('.')[0]) < 3) throw new GobgpVersionError(gobgpd, `gobgpd ${m[1]} is not supported (falconer drives gobgpd 3.x)`)
  return { generation: 'gobgp', version: m[1]!, gobgpd, gobgp }
}

/** gobgpd's command line: the API on the unix socket only, no pprof port, plain logs. */
export function gobgpDaemonSpec(paths: Paths, install: GobgpInstall): BirdDaemonSpec {
  return {
    name: 'gobgpd',
    binary: install.gobgpd,
    config: paths.gobgpConfig,
    socket: paths.gobgpSocket,
    pidFile: paths.gobgpPid,
    args: ['-f', paths.gobgpConfig, '-t', 'toml', '--api-hosts', `unix://${paths.gobgpSocket}`, '--pprof-disable', '-p'],
    // Restarted after a crash or a kill: tell peers it is a graceful restart.
    restartArgs: ['-r'],
    supervisorWritesPid: true,
    removeStaleSocket: true,
    probe: (socket) => new GobgpCli({ socket, binary: install.gobgp }).answers(),
  }
}

export interface GobgpBackendOptions {
  /** Makes the kernel route programmer; the agent passes `createKernelProgrammer`. */
  readonly kernel: KernelProgrammerFactory
}

/** snapshot → intent → gobgpd.toml (one file for both families). Pure. */
export function renderGobgp(input: BackendRenderInput): RenderedConfigs & { readonly intent: BgpIntent } {
  const intent = buildIntent({
    snapshot: input.snapshot,
    nodeName: input.nodeName,
    ...(input.routerId !== undefined && { routerId: input.routerId }),
    ...(input.secrets !== undefined && { secrets: input.secrets }),
    ...(input.drained === true && { drained: true }),
  })
  const rendered = renderGobgpConfig(intent)
  const file = { text: rendered.text, holdsSecret: holdsPassword(intent.v4) || holdsPassword(intent.v6) }
  return { revision: input.snapshot.revision, v4: file, v6: file, problems: [...intent.problems, ...rendered.problems], intent }
}

/**
 * GoBGP: one gobgpd for both families, one TOML file. After each apply the node's own
 * routes are originated through the API, and the kernel programmer (gobgpd installs no
 * routes) is started once gobgpd runs and told the node's blocks.
 */
export function gobgpBackend(install: GobgpInstall, opts: GobgpBackendOptions): Backend {
  return {
    name: 'gobgp',
    install,
    start({ paths, log }) {
      return startGobgpRuntime({ paths, log, install, kernel: opts.kernel })
    },
    renderOnce(input) {
      const r = renderGobgp(input)
      return { text: r.v4.text, problems: r.problems }
    },
  }
}

export interface GobgpRuntime extends BackendRuntime {
  readonly cli: GobgpCli
  readonly originator: Originator
}

export function startGobgpRuntime(ctx: { paths: Paths; log: Logger; install: GobgpInstall; kernel: KernelProgrammerFactory }): GobgpRuntime {
  const { paths, install } = ctx
  const log = ctx.log.child({ daemon: 'gobgpd' })
  const cli = new GobgpCli({ socket: paths.gobgpSocket, binary: install.gobgp })
  const reloader = new GobgpReloader({ pidFile: paths.gobgpPid, config: paths.gobgpConfig, cli, log })
  const originator = new Originator(cli, log)
  const fileApplier = new ConfigApplier(paths.gobgpConfig, 4, { check: (file, _family, displayName) => checkWithGobgpd(install.gobgpd, file, displayName), reload: (file) => reloader.reload(file) }, log)
  let kernel: KernelProgrammer | undefined
  let kernelStarted: Promise<void> | undefined
  // What the last render wants, kept until its text is in place.
  let pending: { text: string; originated: Originated; blocks: readonly string[]; unprogrammed: readonly string[]; restrictions: Record<'v4' | 'v6', string> } | undefined
  let applied: typeof pending

  const applier: Applier = {
    async apply(text, o): Promise<ApplyOutcome> {
      const outcome = await fileApplier.apply(text, o)
      // A rejected file leaves gobgpd on the last good one, and its routes as they were.
      if (outcome.result !== 'rejected' && pending?.text === text) {
        const before = applied
        const tightened = before === undefined || outcome.result !== 'applied' ? [] : ([4, 6] as const).filter((f) => before.restrictions[`v${f}`] !== pending!.restrictions[`v${f}`])
        applied = pending
        originator.set(pending.originated)
        if (tightened.length > 0) originator.readvertise(tightened)
        kernel?.setLocalBlocks(pending.blocks)
        kernel?.setUnprogrammedRanges(pending.unprogrammed)
      }
      return outcome
    },
  }
  return {
    cli,
    originator,
    render(input) {
      const r = renderGobgp(input)
      pending = { text: r.v4.text, originated: originatedPrefixes(r.intent), blocks: localBlocks(r.intent), unprogrammed: unprogrammedRanges(r.intent), restrictions: exportRestrictions(r.intent) }
      return r
    },
    appliers: { v4: applier, v6: applier },
    daemons: [gobgpDaemonSpec(paths, install)],
    readers: gobgpReaders(cli),
    configDirs: [dirname(paths.gobgpConfig)],
    // gobgpd's config is not a template: nothing for an operator to override.
    watchTemplates: () => {},
    daemonStarted(name) {
      if (name !== 'gobgpd') return
      void reloader.daemonStarted()
      // A (re)started gobgpd has an empty RIB: originate again, as soon as its API answers
      // (it is spawned, not yet listening, when the supervisor says so).
      void untilAnswering(cli).then(() => originator.kick())
      if (kernel === undefined) {
        kernel = ctx.kernel({ cli, log: ctx.log.child({ component: 'kernel-routes' }) })
        if (applied !== undefined) {
          kernel.setLocalBlocks(applied.blocks)
          kernel.setUnprogrammedRanges(applied.unprogrammed)
        }
        kernelStarted = kernel.start().catch((err: unknown) => log.error({ err }, 'the kernel route programmer failed to start'))
      }
    },
    async close(o) {
      await originator.stop()
      if (kernel !== undefined) {
        await kernelStarted
        await kernel.stop({ keepRoutes: o?.keepRoutes ?? true })
      }
    },
  }
}

/** The backend for `--backend=gobgp`: the gobgpd at `gobgpd`, its client `gobgp`. */
export async function chooseGobgpBackend(gobgpd: string, gobgp: string): Promise<Backend> {
  return gobgpBackend(await probeGobgp(gobgpd, gobgp), { kernel: createKernelProgrammer })
}
