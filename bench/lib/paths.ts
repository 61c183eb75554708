import { fileURLToPath } from 'node:url'

/**
 * Where things are, from the compiled file's point of view: this module runs as
 * dist/bench/bench/lib/paths.js, so the repository is four levels up and the product's
 * own build (dist/) three.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
export const DIST_URL = new URL('../../../', import.meta.url)
export const BENCH_DIST_URL = new URL('../', import.meta.url)

/** The falconer CLI, as an operator runs it: `node bin/falconer …` (which loads dist/). */
export const FALCONER_BIN = fileURLToPath(new URL('bin/falconer', new URL('../../../../', import.meta.url)))

/** A compiled benchmark entry point, e.g. phase('render') → dist/bench/bench/phases/render.js. */
export function phaseScript(name: string): string {
  return fileURLToPath(new URL(`phases/${name}.js`, BENCH_DIST_URL))
}
