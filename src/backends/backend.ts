import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import type { Applier } from '../bgp/reconciler.js'
import type { RenderedConfigs, RenderInput } from '../bgp/render-configs.js'
import type { BirdControl } from '../bird/control/index.js'
import type { BirdDaemonName, BirdDaemonSpec } from '../bird/supervisor/daemons.js'
import type { Logger } from '../log.js'
import type { Paths } from '../settings/paths.js'
import type { FamilyReader } from '../status/family-reader.js'

/**
 * The seam between the shared intent and a BGP daemon (docs/backends.md). A backend owns
 * its templates and render, its check/apply/reload, its daemons, and the translation of
 * its replies into the shared status model; the agent only wires what it returns.
 */
export type BackendName = 'bird1' | 'bird2' | 'gobgp'

/** What rendering needs besides the templates, which the backend holds itself. */
export type BackendRenderInput = Omit<RenderInput, 'templates'>


/** One running agent's use of a backend. */
export interface BackendRuntime {
  /** snapshot → the text of each family's file. BIRD 2 returns the same file for both. */
  render(input: BackendRenderInput): RenderedConfigs
  /** One per family; the same object for both when one file carries both families. */
  readonly appliers: { readonly v4: Applier; readonly v6: Applier }
  /** Daemons to start and supervise, in order. */
  readonly daemons: readonly BirdDaemonSpec[]
  /** Status, per family, in the shared reply types. */
  readonly readers: { readonly v4: FamilyReader; readonly v6: FamilyReader }
  /** Directories the config files live in (created before the first apply). */
  readonly configDirs: readonly string[]
  /** Calls `onChange` after the operator's template overrides changed and still compile. */
  watchTemplates(onChange: () => void): void
  /** The supervisor saw one of `daemons` start (or, unmanaged, answer): GoBGP originates its routes again. */
  daemonStarted?(name: BirdDaemonName): void
  /** keepRoutes: the daemons stopped gracefully (agent restart), so routes stay in the kernel. */
  close(opts?: { readonly keepRoutes: boolean }): Promise<void>
}

export interface Backend {
  readonly name: BackendName
  readonly install: BirdInstall | GobgpInstall
  start(ctx: { readonly paths: Paths; readonly log: Logger; readonly controls?: ControlFactory }): BackendRuntime
  /**
   * `falconer bird config`: the file(s) the agent would write now. BIRD 1.6 has one per
   * family; BIRD 2 one for both (`family` is then ignored).
   */
  renderOnce(input: BackendRenderInput, ctx: { readonly paths: Paths; readonly log: Logger; readonly family: 4 | 6 }): { readonly text: string; readonly problems: RenderedConfigs['problems'] }
}

export type ControlFactory = (socketPath: string) => BirdControl

/** The BIRD found on this host: which generation, and where its tools are. */
export interface BirdInstall {
  readonly generation: 1 | 2
  /** As BIRD printed it: "1.6.8", "2.0.12". */
  readonly version: string
  /** The daemon (and `-p` checker). */
  readonly bird: string
  /** The client, beside `bird`. */
  readonly birdc: string
  /** BIRD 1.6's IPv6 daemon, beside `bird`. */
  readonly bird6?: string
}

/** The gobgpd (and its `gobgp` client) the GoBGP backend drives. */
export interface GobgpInstall {
  readonly generation: 'gobgp'
  /** As gobgpd printed it: "3.10.0". */
  readonly version: string
  readonly gobgpd: string
  readonly gobgp: string
}

/** The BIRD executable could not tell its version, or it is one falconer cannot drive. */
export class BirdVersionError extends Error {
  override readonly name = 'BirdVersionError'
  constructor(
    readonly binary: string,
    readonly reason: string,
  ) {
    super(`BIRD executable ${binary}: ${reason} (set FALCONER_BIRD_BIN or --bird-bin to a BIRD 1.6 or 2.x bird)`)
  }
}

/** `BIRD version 2.0.12` → { major: 2, version: '2.0.12' }. */
export function parseBirdVersion(text: string): { major: number; version: string } | undefined {
  const m = /BIRD version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text)
  if (m === null) return undefined
  return { major: Number(m[1]), version: m[0].slice('BIRD version '.length) }
}

/**
 * Which BIRD `birdBin` is: runs `birdBin --version` (BIRD prints it on stderr) and finds
 * `birdc` (and for 1.6 `bird6`) beside it — in its directory when it was given as a path,
 * on PATH when it was a bare name.
 */
export async function probeBird(birdBin: string): Promise<BirdInstall> {
  const r = await execa(birdBin, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' })
  if (r.failed && r.exitCode === undefined) throw new BirdVersionError(birdBin, `cannot run it: ${r.shortMessage}`)
  const printed = `${r.stderr}\n${r.stdout}`.trim()
  const v = parseBirdVersion(printed)
  if (v === undefined) throw new BirdVersionError(birdBin, `--version printed no BIRD version: ${JSON.stringify(printed.slice(0, 200))}`)
  const beside = (name: string) => (birdBin.includes('/') ? join(dirname(birdBin), name) : name)
  const mustExist = (path: string, what: string) => {
    if (path.includes('/') && !existsSync(path)) throw new BirdVersionError(birdBin, `BIRD ${v.version} needs ${what} beside it, and ${path} does not exist`)
    return path
  }
  if (v.major === 1) {
    return { generation: 1, version: v.version, bird: birdBin, birdc: beside('birdc'), bird6: mustExist(beside('bird6'), 'bird6') }
  }
  if (v.major === 2) return { generation: 2, version: v.version, bird: birdBin, birdc: beside('birdc') }
  throw new BirdVersionError(birdBin, `BIRD ${v.version} is not supported (falconer drives BIRD 1.6 and BIRD 2)`)
}

/** The backend for `--backend=bird`: the generation of the BIRD at `birdBin`. */
export async function chooseBirdBackend(birdBin: string): Promise<Backend> {
  const install = await probeBird(birdBin)
  if (install.generation === 1) {
    const { bird1Backend } = await import('./bird1/backend.js')
    return bird1Backend(install)
  }
  const { bird2Backend } = await import('./bird2/backend.js')
  return bird2Backend(install)
}
