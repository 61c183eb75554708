import { type Expr, type Labels, canonical, evaluate } from './ast.js'
import { parseExpression } from './parser.js'

export { SelectorError } from './errors.js'
export type { Expr, Labels } from './ast.js'

/** A parsed Calico selector. */
export interface Selector {
  matches(labels: Readonly<Record<string, string>>): boolean
  /** The text as written. */
  readonly source: string
  readonly expr: Expr
  /** Canonical form (as Calico prints it), e.g. `(rack == "r1" && has(tor))`. */
  toString(): string
}

/** Parses `src`; throws SelectorError with the column of the problem. Empty means all(). */
export function parseSelector(src: string): Selector {
  const expr = parseExpression(src)
  const text = canonical(expr)
  return {
    source: src,
    expr,
    matches: (labels: Labels) => evaluate(expr, labels),
    toString: () => text,
  }
}
