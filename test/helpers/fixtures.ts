import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { parseReplyLine, type ReplyLine } from '../../src/bird/control/index.js'

/**
 * Real BIRD outputs recorded for the parser tests: BIRD 1.6.8's in bird-1.6.8/ and BIRD
 * 2.0.12's in bird-2.0.12/ (each README says how they were recorded). Resolved from this
 * file so the tests run from any checkout.
 */
export const BIRD_FIXTURES = fileURLToPath(new URL('../fixtures/bird-1.6.8/', import.meta.url))

export function birdFixture(name: string): string {
  return readFileSync(join(BIRD_FIXTURES, name), 'utf8')
}

/**
 * A raw_* capture (wire format) in `dir` as reply lines, the greeting left out as the
 * control client does. Throws on a line that is not BIRD's framing.
 */
export function captureLines(dir: string, fixture: string): ReplyLine[] {
  const lines = readFileSync(join(dir, fixture), 'utf8').split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines.slice(1).map((l) => {
    const parsed = parseReplyLine(l)
    if (parsed === undefined) throw new Error(`${fixture}: not a reply line: ${JSON.stringify(l)}`)
    return parsed
  })
}

/** A raw_* capture's replies (the two-commands captures hold two), each as reply lines. */
export function captureReplies(dir: string, fixture: string): ReplyLine[][] {
  const replies: ReplyLine[][] = [[]]
  for (const line of captureLines(dir, fixture)) {
    replies.at(-1)!.push(line)
    if (line.kind === 'final') replies.push([])
  }
  return replies.filter((r) => r.length > 0)
}
