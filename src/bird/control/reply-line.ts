/**
 * One line of BIRD's control-socket protocol:
 *   "DDDD-text"  more lines follow (`continued`, code DDDD)
 *   " text"      continues the previous code (`continued`, code undefined)
 *   "DDDD text"  the last line of the reply (`final`)
 *   "+text"      an unsolicited message, not part of any reply (`async`)
 * 0xxx success, 1xxx data, 2xxx heading, 8xxx run-time error, 9xxx parse error.
 */
export type ReplyLine =
  | { readonly kind: 'continued'; readonly code: number | undefined; readonly text: string }
  | { readonly kind: 'final'; readonly code: number; readonly text: string }
  | { readonly kind: 'async'; readonly code: undefined; readonly text: string }

export type FinalLine = Extract<ReplyLine, { kind: 'final' }>

/** Undefined when the line is not BIRD's framing (birdc prints such lines as "??? <line>"). */
export function parseReplyLine(line: string): ReplyLine | undefined {
  const first = line.charCodeAt(0)
  if (first === 32) return { kind: 'continued', code: undefined, text: line.slice(1) }
  if (first === 43) return { kind: 'async', code: undefined, text: line.slice(1) }
  if (line.length < 5) return undefined
  let code = 0
  for (let i = 0; i < 4; i++) {
    const d = line.charCodeAt(i) - 48
    if (d < 0 || d > 9) return undefined
    code = code * 10 + d
  }
  const sep = line.charCodeAt(4)
  if (sep === 45) return { kind: 'continued', code, text: line.slice(5) }
  if (sep === 32) return { kind: 'final', code, text: line.slice(5) }
  return undefined
}

/** 8xxx run-time and 9xxx parse errors. */
export function isErrorCode(code: number): boolean {
  return code >= 8000 && code <= 9999
}
