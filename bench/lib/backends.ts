import { accessSync, constants, existsSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import { REPO_ROOT } from './paths.js'

/**
 * The BGP daemons the render, converge and parse phases measure side by side, in the
 * order of their columns. Each phase asks this module what a backend needs (a BIRD
 * binary or gobgpd for the agent, a figure-key segment, a column label) and keeps one
 * code path for all of them. GoBGP has render and converge columns; the parse phase is
 * about BIRD's reply parsers and measures the BIRD backends only (PARSE_BACKENDS).
 */
export const BENCH_BACKENDS = ['bird1', 'bird2', 'gobgp'] as const
export type BenchBackend = (typeof BENCH_BACKENDS)[number]
export type BirdBackend = Exclude<BenchBackend, 'gobgp'>

export const BACKEND_LABEL: Readonly<Record<BenchBackend, string>> = {
  bird1: 'BIRD 1.6',
  bird2: 'BIRD 2',
  gobgp: 'GoBGP',
}

/** The backends whose replies the parse phase reads (GoBGP answers JSON through `gobgp -j`). */
export function parseBackends(backends: readonly BenchBackend[]): BirdBackend[] {
  return backends.filter((b): b is BirdBackend => b !== 'gobgp')
}

/**
 * Figure keys: BIRD 1.6's keep the names they had before other backends were measured
 * (`render.n100.mesh.full_ms`), so runs stay comparable across bench/results/; every
 * other backend's carry its name after the phase (`render.bird2.n100.mesh.full_ms`).
 */
export function figurePrefix(phase: string, backend: BenchBackend): string {
  return backend === 'bird1' ? phase : `${phase}.${backend}`
}

/**
 * The BIRD executables of a backend: the agent is pointed at `bird` through
 * FALCONER_BIRD_BIN (undefined: the `bird` on PATH, BIRD 1.6 here); `birdc` is the
 * client the parse floor runs; `bird` also runs the `-p` check of the converge floor.
 */
export interface BirdTools {
  readonly bird: string
  readonly birdc: string
  readonly agentBirdBin: string | undefined
}

/**
 * BIRD 2's `bird`, as scripts/install-bird2.sh unpacks it (FALCONER_BIRD2_BIN names another,
 * as for the tests). From the repository root: this module runs from dist/bench/, where the
 * test helper's path relative to its own file would not lead to .deps/.
 */
export const BIRD2_BIN = process.env['FALCONER_BIRD2_BIN'] ?? join(REPO_ROOT, '.deps/bird2/usr/sbin/bird')

export class MissingBackendError extends Error {
  override readonly name = 'MissingBackendError'
}

export function birdTools(backend: BirdBackend): BirdTools {
  switch (backend) {
    case 'bird1':
      return { bird: 'bird', birdc: 'birdc', agentBirdBin: undefined }
    case 'bird2': {
      if (!existsSync(BIRD2_BIN)) {
        throw new MissingBackendError(`BIRD 2 is not unpacked at ${BIRD2_BIN}: run scripts/install-bird2.sh (or set FALCONER_BIRD2_BIN), or leave it out with --backends=bird1`)
      }
      return { bird: BIRD2_BIN, birdc: BIRD2_BIN.replace(/bird$/, 'birdc'), agentBirdBin: BIRD2_BIN }
    }
  }
}

/** gobgpd and its client for the agent (FALCONER_GOBGPD_BIN, FALCONER_GOBGP_BIN), as the product reads them. */
export interface GobgpTools {
  readonly gobgpd: string
  readonly gobgp: string
}

/**
 * The GoBGP backend's executables: FALCONER_GOBGPD_BIN / FALCONER_GOBGP_BIN, else `gobgpd`
 * and `gobgp` on PATH (Debian's gobgpd package holds both; scripts/install-deps.sh installs it).
 */
export function gobgpTools(): GobgpTools {
  const gobgpd = executable(process.env['FALCONER_GOBGPD_BIN'] || 'gobgpd')
  const gobgp = executable(process.env['FALCONER_GOBGP_BIN'] || 'gobgp')
  const missing = [gobgpd, gobgp].filter((t) => t.path === undefined).map((t) => t.name)
  if (missing.length > 0) {
    throw new MissingBackendError(
      `GoBGP is not installed: no executable ${missing.join(' or ')} (install Debian's gobgpd package, as scripts/install-deps.sh does, or set FALCONER_GOBGPD_BIN and FALCONER_GOBGP_BIN), or leave it out with --backends=bird1,bird2`,
    )
  }
  return { gobgpd: gobgpd.path!, gobgp: gobgp.path! }
}

/** `name` as given when it is a path, else its first match on PATH; undefined path: not executable. */
function executable(name: string): { name: string; path: string | undefined } {
  const candidates = name.includes('/') ? [name] : (process.env['PATH'] ?? '').split(delimiter).filter((d) => isAbsolute(d)).map((d) => join(d, name))
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK)
      return { name, path: c }
    } catch {
      // not here
    }
  }
  return { name, path: undefined }
}
