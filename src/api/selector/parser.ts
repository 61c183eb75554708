import { type Expr, toSet } from './ast.js'
import { SelectorError } from './errors.js'

/**
 * Recursive-descent parser for Calico's selector language, scanning characters directly so
 * that every error carries the column where the input stopped making sense.
 *
 *   or   := and ('||' and)*
 *   and  := op ('&&' op)*
 *   op   := '!'* ( '(' or ')' | all() | global() | has(label)
 *                | label ('==' | '!=' | contains | starts with | ends with) string
 *                | label ('in' | 'not in') '{' [string (',' string)* [',']] '}' )
 *
 * Lexical rules follow libcalico-go's tokenizer: whitespace is space or tab; labels are
 * runs of [A-Za-z0-9_./-] (at most 512); strings are '…' or "…" without escapes; `has(` and
 * `all(` are recognised only without a space before the parenthesis; operator words are
 * recognised only right after a label.
 */

const MAX_LABEL = 512
const isLabelChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_./-]/.test(c)

const OPERATORS = 'an operator (==, !=, in, not in, contains, starts with, ends with)'
const OPERAND = 'a label, has(…), all(), "!" or "("'

export function parseExpression(src: string): Expr {
  return new Parser(src).parseSelector()
}

class Parser {
  private pos = 0
  /** Index just past the last token consumed: where end-of-input errors point. */
  private lastEnd = 0

  constructor(private readonly src: string) {}

  parseSelector(): Expr {
    this.skipSpace()
    if (this.atEnd()) return { op: 'all' }
    const e = this.parseOr()
    this.skipSpace()
    if (!this.atEnd()) this.fail('"&&", "||" or the end of the selector')
    return e
  }

  private parseOr(): Expr {
    const operands = [this.parseAnd()]
    while (this.eat('||')) operands.push(this.parseAnd())
    return operands.length === 1 ? (operands[0] as Expr) : { op: '||', operands }
  }

  private parseAnd(): Expr {
    const operands = [this.parseOperation()]
    while (this.eat('&&')) operands.push(this.parseOperation())
    return operands.length === 1 ? (operands[0] as Expr) : { op: '&&', operands }
  }

  private parseOperation(): Expr {
    // Leading `!`s collapse to one negation, as in Calico (so `!!a` canonicalises to `a`).
    let negated = false
    while (this.peekBang()) {
      this.eat('!')
      negated = !negated
    }
    const e = this.parseOperand()
    return negated ? { op: '!', operand: e } : e
  }

  private parseOperand(): Expr {
    this.skipSpace()
    if (this.eat('(')) {
      const e = this.parseOr()
      this.expect(')')
      return e
    }
    if (this.eatWord('has(')) {
      const key = this.label('a label')
      this.expect(')')
      return { op: 'has', key }
    }
    if (this.eatWord('all(')) {
      this.expect(')')
      return { op: 'all' }
    }
    if (this.eatWord('global(')) {
      this.expect(')')
      return { op: 'global' }
    }
    if (!isLabelChar(this.src[this.pos])) this.fail(OPERAND)
    const key = this.label(OPERAND)
    return this.parseComparison(key)
  }

  private parseComparison(key: string): Expr {
    this.skipSpace()
    if (this.eat('==')) return { op: '==', key, value: this.string() }
    if (this.eat('!=')) return { op: '!=', key, value: this.string() }
    if (this.eatKeyword('contains')) return { op: 'contains', key, value: this.string() }
    if (this.eatKeyword('starts', 'with')) return { op: 'starts with', key, value: this.string() }
    if (this.eatKeyword('ends', 'with')) return { op: 'ends with', key, value: this.string() }
    if (this.eatKeyword('not', 'in')) return { op: 'not in', key, values: this.set() }
    if (this.eatKeyword('in')) return { op: 'in', key, values: this.set() }
    return this.fail(OPERATORS)
  }

  private set(): string[] {
    this.expect('{')
    const values: string[] = []
    for (;;) {
      this.skipSpace()
      const c = this.src[this.pos]
      if (c !== '"' && c !== "'") break
      values.push(this.string())
      if (!this.eat(',')) break
    }
    this.skipSpace()
    if (!this.eat('}')) this.fail(values.length === 0 ? 'a quoted string or "}"' : '"," or "}"')
    return toSet(values)
  }

  private string(): string {
    this.skipSpace()
    const q = this.src[this.pos]
    if (q !== '"' && q !== "'") this.fail('a quoted string')
    const close = this.src.indexOf(q as string, this.pos + 1)
    if (close < 0) throw new SelectorError(this.src, this.pos + 1, `unterminated string: expected a closing ${q}`)
    const value = this.src.slice(this.pos + 1, close)
    this.pos = close + 1
    this.lastEnd = this.pos
    return value
  }

  private label(expected: string): string {
    this.skipSpace()
    const start = this.pos
    while (isLabelChar(this.src[this.pos])) this.pos++
    if (this.pos === start) this.fail(expected)
    if (this.pos - start > MAX_LABEL) {
      throw new SelectorError(this.src, start + 1, `label is longer than ${MAX_LABEL} characters`)
    }
    this.lastEnd = this.pos
    return this.src.slice(start, this.pos)
  }

  private skipSpace(): void {
    while (this.src[this.pos] === ' ' || this.src[this.pos] === '\t') this.pos++
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length
  }

  private peekBang(): boolean {
    this.skipSpace()
    return this.src[this.pos] === '!' && this.src[this.pos + 1] !== '='
  }

  private eat(token: string): boolean {
    this.skipSpace()
    if (!this.src.startsWith(token, this.pos)) return false
    this.pos += token.length
    this.lastEnd = this.pos
    return true
  }

  /** `has(`, `all(`, `global(`: a function name glued to its parenthesis. */
  private eatWord(word: string): boolean {
    return this.eat(word)
  }

  /** Operator words, each followed by optional space; a word boundary after the last. */
  private eatKeyword(...words: string[]): boolean {
    this.skipSpace()
    let p = this.pos
    for (const w of words) {
      if (!this.src.startsWith(w, p)) return false
      p += w.length
      const afterWord = p
      while (this.src[p] === ' ' || this.src[p] === '\t') p++
      if (w === words[words.length - 1]) p = afterWord
    }
    if (isLabelChar(this.src[p])) return false
    this.pos = p
    this.lastEnd = p
    return true
  }

  private expect(token: string): void {
    if (!this.eat(token)) this.fail(`"${token}"`)
  }

  private fail(expected: string): never {
    this.skipSpace()
    if (this.atEnd()) throw new SelectorError(this.src, this.lastEnd + 1, `expected ${expected}`)
    throw new SelectorError(this.src, this.pos + 1, `expected ${expected}, found ${JSON.stringify(this.found())}`)
  }

  /** The text of the offending token, for the error message. */
  private found(): string {
    const rest = this.src.slice(this.pos)
    const word = /^[A-Za-z0-9_./-]+/.exec(rest)
    if (word) return word[0].slice(0, 32)
    const sym = /^(==|!=|&&|\|\|)/.exec(rest)
    return sym ? (sym[1] as string) : rest.slice(0, 1)
  }
}
