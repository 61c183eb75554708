/**
 * The plain `ps`-style tables of `calicoctl get` (Go's text/tabwriter with minwidth 5,
 * padding 3, every cell tab-terminated), e.g.
 *
 *   SCOPE    PEERIP         NODE   ASN
 *   global   192.20.30.40          64567
 *
 * calicoctl terminates every cell, the last one too, so every line carries the trailing
 * padding of its last column; and it leaves an empty line after each table. Both are kept
 * so scripts written against calicoctl's output keep working.
 */

const MIN_WIDTH = 5
const PADDING = 3

export function columnsTable(headings: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const [i, row] of rows.entries()) {
    if (row.length !== headings.length) {
      throw new RangeError(`table row ${i} has ${row.length} cells, expected ${headings.length}`)
    }
  }
  const all = [headings, ...rows]
  const widths = headings.map((_, col) =>
    Math.max(MIN_WIDTH, ...all.map((row) => [...(row[col] ?? '')].length + PADDING)),
  )
  const line = (row: readonly string[]) =>
    row.map((cell, col) => cell + ' '.repeat((widths[col] ?? 0) - [...cell].length)).join('')
  return all.map(line).join('\n') + '\n\n'
}
