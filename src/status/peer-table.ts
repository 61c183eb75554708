/**
 * The table `calicoctl node status` prints, which Go's tablewriter drew: headers centred
 * (an odd leftover space goes right), cells left-aligned, `+---+` rules.
 *
 *   +--------------+-------------------+-------+----------+-------------+
 *   | PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |    INFO     |
 *   +--------------+-------------------+-------+----------+-------------+
 *   | 172.17.8.102 | node-to-node mesh | up    | 23:30:04 | Established |
 *   +--------------+-------------------+-------+----------+-------------+
 *
 * src/cli/print/table.ts centres the PrettyTable way (an odd leftover goes left for
 * even-length text), which differs for "INFO"; hence this small printer of its own.
 */
export function tablewriterTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const [i, row] of rows.entries()) {
    if (row.length !== headers.length) throw new RangeError(`table row ${i} has ${row.length} cells, expected ${headers.length}`)
  }
  const width = (s: string) => [...s].length
  const widths = headers.map((h, col) => Math.max(width(h), ...rows.map((r) => width(r[col] ?? ''))))
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+'
  const line = (cells: readonly string[], pad: (s: string, w: number) => string) =>
    '|' + cells.map((c, col) => ` ${pad(c, widths[col] ?? 0)} `).join('|') + '|'
  const centre = (s: string, w: number) => {
    const gap = w - width(s)
    const left = Math.floor(gap / 2)
    return ' '.repeat(left) + s + ' '.repeat(gap - left)
  }
  const left = (s: string, w: number) => s + ' '.repeat(w - width(s))
  return [rule, line(headers, centre), rule, ...rows.map((r) => line(r, left)), rule].join('\n') + '\n'
}
