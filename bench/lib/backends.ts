import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './paths.js'

/**
 * The BGP daemons the render, converge and parse phases measure side by side, in the
 * order of their columns. Each phase asks this module what a backend needs (a BIRD
 * binary for the agent, a figure-key segment, a column label) and keeps one code path for
 * all of them, so a third backend (GoBGP) is one more entry here plus its own render /
 * agent / reply functions in the phases.
 */
export const BENCH_BACKENDS = ['bird1', 'bird2'] as const
export type BenchBackend = (typeof BENCH_BACKENDS)[number]

export const BACKEND_LABEL: Readonly<Record<BenchBackend, string>> = {
  bird1: 'BIRD 1.6',
  bird2: 'BIRD 2',
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

export function birdTools(backend: BenchBackend): BirdTools {
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
