import { ValidationError } from '../errors.js'
import { parseSelector, SelectorError } from '../selector/index.js'
import { asString } from './fields.js'

/** A selector field: must parse; kept as written (Calico stores the operator's text). */
export function parseSelectorField(v: unknown, path: string): string {
  const s = asString(v, path)
  try {
    parseSelector(s)
  } catch (e) {
    if (e instanceof SelectorError) throw new ValidationError(path, `invalid selector: column ${e.column}: ${e.detail}`)
    throw e
  }
  return s
}
