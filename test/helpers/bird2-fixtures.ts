/** The BIRD 2.0.12 captures in test/fixtures/bird-2.0.12 (see its README), as the parsers consume them. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ReplyLine } from '../../src/bird/control/index.js'
import { captureLines, captureReplies } from './fixtures.js'

export const BIRD2_FIXTURES = fileURLToPath(new URL('../fixtures/bird-2.0.12/', import.meta.url))
export const BIRD2_GREETING = '0001 BIRD 2.0.12 ready.\n'

export function bird2Fixture(name: string): string {
  return readFileSync(join(BIRD2_FIXTURES, name), 'utf8')
}

export const bird2Lines = (fixture: string): ReplyLine[] => captureLines(BIRD2_FIXTURES, fixture)
export const bird2Replies = (fixture: string): ReplyLine[][] => captureReplies(BIRD2_FIXTURES, fixture)
