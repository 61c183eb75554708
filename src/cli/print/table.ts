/**
 * The boxed tables of the calicoctl documents (`calicoctl node show`, `node bgp peer show`,
 * `node status`), which Python's PrettyTable drew:
 *
 *   +----------+--------------+
 *   | Hostname |  Bird IPv4   |
 *   +----------+--------------+
 *   | node1    | 10.0.0.1     |
 *   +----------+--------------+
 *
 * Pure: rows in, text out. A cell may hold several lines (`a\nb`); the row then grows and
 * every line is aligned on its own, top-aligned, as PrettyTable did.
 */

export type Align = 'left' | 'center' | 'right'

export interface BoxTableOptions {
  /** One value for every column, or one per column. PrettyTable's default is center. */
  readonly align?: Align | readonly Align[]
}

export function boxTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: BoxTableOptions = {},
): string {
  const columns = headers.length
  for (const [i, row] of rows.entries()) {
    if (row.length !== columns) {
      throw new RangeError(`table row ${i} has ${row.length} cells, expected ${columns}`)
    }
  }
  const alignOf = (col: number): Align => {
    const a = options.align ?? 'center'
    return typeof a === 'string' ? a : (a[col] ?? 'center')
  }
  const cellLines = (cell: string): string[] => cell.split('\n')
  const widths = headers.map((header, col) =>
    Math.max(
      ...cellLines(header).map(textWidth),
      ...rows.flatMap((row) => cellLines(row[col] ?? '').map(textWidth)),
    ),
  )
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+'
  const renderRow = (cells: readonly string[]): string[] => {
    const split = cells.map(cellLines)
    const height = Math.max(...split.map((lines) => lines.length))
    const out: string[] = []
    for (let line = 0; line < height; line++) {
      const parts = split.map((lines, col) => ' ' + justify(lines[line] ?? '', widths[col] ?? 0, alignOf(col)) + ' ')
      out.push('|' + parts.join('|') + '|')
    }
    return out
  }
  const lines = [rule, ...renderRow(headers), rule]
  for (const row of rows) lines.push(...renderRow(row))
  if (rows.length > 0) lines.push(rule)
  return lines.join('\n') + '\n'
}

/** PrettyTable's centring: odd leftover space goes right for odd-length text, left for even. */
export function justify(text: string, width: number, align: Align): string {
  const excess = Math.max(0, width - textWidth(text))
  if (align === 'left') return text + ' '.repeat(excess)
  if (align === 'right') return ' '.repeat(excess) + text
  const half = Math.floor(excess / 2)
  if (excess % 2 === 0) return ' '.repeat(half) + text + ' '.repeat(half)
  return textWidth(text) % 2 === 1
    ? ' '.repeat(half) + text + ' '.repeat(half + 1)
    : ' '.repeat(half + 1) + text + ' '.repeat(half)
}

/** Terminal columns of a string; code points, so an accented hostname stays aligned. */
function textWidth(text: string): number {
  return [...text].length
}
