/** Fixture files as the line sequences the parsers consume. */
import type { ReplyLine } from '../../../src/bird/control/index.js'
import { BIRD_FIXTURES, birdFixture, captureLines } from '../../helpers/fixtures.js'

/** A raw_* fixture (wire format) as reply lines, the greeting left out as the client does. */
export const rawLines = (fixture: string): ReplyLine[] => captureLines(BIRD_FIXTURES, fixture)

/** A birdc-formatted fixture (v4_*, v6_*): plain text lines, birdc's "BIRD 1.6.8 ready." first. */
export function birdcLines(fixture: string): string[] {
  const lines = birdFixture(fixture).split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines
}

/** A `birdc -v` fixture: codes shown, continuation lines re-indented by five spaces. */
export function birdcVerboseLines(fixture: string): string[] {
  return birdcLines(fixture)
    .slice(1)
    .map((l) => l.slice(5))
}
