/** The BIRD 2.0.12 captures in test/fixtures/bird-2.0.12 (see its README), as the parsers consume them. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseReplyLine, type ReplyLine } from '../../src/bird/control/index.js'

export const BIRD2_FIXTURES = fileURLToPath(new URL('../fixtures/bird-2.0.12/', import.meta.url))
export const BIRD2_GREETING = '0001 BIRD 2.0.12 ready.\n'

export function bird2Fixture(name: string): string {
  return readFileSync(join(BIRD2_FIXTURES, name), 'utf8')
}

/** A raw_* capture as reply lines, the greeting left out as the control client does. */
export function bird2Lines(fixture: string): ReplyLine[] {
  const lines = bird2Fixture(fixture).split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines.slice(1).map((l) => {
    const parsed = parseReplyLine(l)
    if (parsed === undefined) throw new Error(`${fixture}: not a reply line: ${JSON.stringify(l)}`)
    return parsed
  })
}

/** A raw_* capture's replies (the two-commands capture holds two), each as reply lines. */
export function bird2Replies(fixture: string): ReplyLine[][] {
  const replies: ReplyLine[][] = [[]]
  for (const line of bird2Lines(fixture)) {
    replies.at(-1)!.push(line)
    if (line.kind === 'final') replies.push([])
  }
  return replies.filter((r) => r.length > 0)
}
