import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/**
 * Real BIRD 1.6.8 outputs recorded for the parser tests (test/fixtures/bird-1.6.8/README.md
 * says how each was recorded). Resolved from this file so the tests run from any checkout.
 */
export const BIRD_FIXTURES = fileURLToPath(new URL('../fixtures/bird-1.6.8/', import.meta.url))

export function birdFixture(name: string): string {
  return readFileSync(join(BIRD_FIXTURES, name), 'utf8')
}
