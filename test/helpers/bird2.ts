import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The BIRD 2 executable the tests drive. Debian's `bird2` conflicts with the `bird` (1.6)
 * package the other tests need, so it is unpacked into .deps/bird2 by
 * scripts/install-bird2.sh (run by scripts/install-deps.sh); FALCONER_BIRD2_BIN names
 * another one.
 */
export const BIRD2_BIN =
  process.env.FALCONER_BIRD2_BIN ?? fileURLToPath(new URL('../../.deps/bird2/usr/sbin/bird', import.meta.url))

/** Fails loudly, with the fix, rather than letting a test pass without BIRD 2. */
export function requireBird2(): string {
  if (!existsSync(BIRD2_BIN)) {
    throw new Error(`BIRD 2 is not unpacked at ${BIRD2_BIN}: run scripts/install-deps.sh (or set FALCONER_BIRD2_BIN)`)
  }
  return BIRD2_BIN
}
