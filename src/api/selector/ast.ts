/**
 * Parsed selector expressions, their evaluation against a label set, and Calico's canonical
 * text (the same string libcalico-go's Selector.String() produces: `&&`/`||` groups in
 * parentheses, double quotes unless the value holds one, `in` sets sorted and de-duplicated).
 */

export type Expr =
  | { op: 'all' }
  | { op: 'global' }
  | { op: 'has'; key: string }
  | { op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; key: string; value: string }
  | { op: 'in' | 'not in'; key: string; values: readonly string[] }
  | { op: '!'; operand: Expr }
  | { op: '&&' | '||'; operands: readonly Expr[] }

export type Labels = Readonly<Record<string, string>>

function lookup(labels: Labels, key: string): string | undefined {
  // Own properties only: a label set must not "have" `constructor` or `toString`.
  return Object.hasOwn(labels, key) ? labels[key] : undefined
}

export function evaluate(e: Expr, labels: Labels): boolean {
  switch (e.op) {
    case 'all':
    case 'global':
      return true
    case 'has':
      return lookup(labels, e.key) !== undefined
    case '==': {
      const v = lookup(labels, e.key)
      return v !== undefined && v === e.value
    }
    case '!=': {
      // Calico: true when the label is absent.
      const v = lookup(labels, e.key)
      return v === undefined || v !== e.value
    }
    case 'contains': {
      const v = lookup(labels, e.key)
      return v !== undefined && v.includes(e.value)
    }
    case 'starts with': {
      const v = lookup(labels, e.key)
      return v !== undefined && v.startsWith(e.value)
    }
    case 'ends with': {
      const v = lookup(labels, e.key)
      return v !== undefined && v.endsWith(e.value)
    }
    case 'in': {
      const v = lookup(labels, e.key)
      return v !== undefined && e.values.includes(v)
    }
    case 'not in': {
      // Calico: true when the label is absent.
      const v = lookup(labels, e.key)
      return v === undefined || !e.values.includes(v)
    }
    case '!':
      return !evaluate(e.operand, labels)
    case '&&':
      return e.operands.every((x) => evaluate(x, labels))
    case '||':
      return e.operands.some((x) => evaluate(x, labels))
  }
}

const quote = (s: string): string => (s.includes('"') ? `'${s}'` : `"${s}"`)

export function canonical(e: Expr): string {
  switch (e.op) {
    case 'all':
      return 'all()'
    case 'global':
      return 'global()'
    case 'has':
      return `has(${e.key})`
    case '==':
    case '!=':
    case 'contains':
    case 'starts with':
    case 'ends with':
      return `${e.key} ${e.op} ${quote(e.value)}`
    case 'in':
    case 'not in':
      return `${e.key} ${e.op} {${e.values.map(quote).join(', ')}}`
    case '!':
      return `!${canonical(e.operand)}`
    case '&&':
    case '||':
      return `(${e.operands.map(canonical).join(` ${e.op} `)})`
  }
}

/** Sorted by UTF-16 code units, like Go's sort.Strings on ASCII; duplicates dropped. */
export function toSet(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
