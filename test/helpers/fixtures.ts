import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/**
 * Real BIRD 1.6.8 outputs live in ../shared/fixtures beside the repository (CI clones the
 * repo with shared/ next to it), so resolve them from this file, never from an absolute path.
 */
export const BIRD_FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/bird-1.6.8/', import.meta.url))

export function birdFixture(name: string): string {
  return readFileSync(join(BIRD_FIXTURES, name), 'utf8')
}
