/**
 * A selector that does not parse. `column` is 1-based; at the end of the input it points just
 * past the last token, so `rack == ` reports column 8 ("expected a quoted string").
 */
export class SelectorError extends Error {
  override readonly name = 'SelectorError'
  constructor(
    readonly source: string,
    readonly column: number,
    /** What was expected (and found), without the location prefix. */
    readonly detail: string,
  ) {
    super(`selector ${JSON.stringify(source)} column ${column}: ${detail}`)
  }
}
