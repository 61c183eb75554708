import type { CalicoNodeStatusSpec, CalicoNodeStatusStatus, NodeStatusClass } from '../types.js'
import { ValidationError } from '../errors.js'
import { asArray, asEnum, asInteger, asObject, checkFields, cloneJson, item, optional, required } from './fields.js'
import { parseName } from './names.js'

const CLASSES: readonly NodeStatusClass[] = ['Agent', 'BGP', 'Routes']

function parseClasses(v: unknown, path: string): NodeStatusClass[] {
  const seen = new Set<NodeStatusClass>()
  return asArray(v, path).map((raw, i) => {
    const p = item(path, i)
    const c = asEnum(raw, p, CLASSES)
    if (seen.has(c)) throw new ValidationError(p, `duplicate class ${JSON.stringify(c)}`)
    seen.add(c)
    return c
  })
}

export function parseCalicoNodeStatusSpec(v: unknown, path: string): CalicoNodeStatusSpec {
  const o = asObject(v ?? {}, path)
  checkFields(o, path, ['node', 'classes', 'updatePeriodSeconds'])
  const spec: CalicoNodeStatusSpec = {
    node: required(o, 'node', path, parseName),
    classes: required(o, 'classes', path, parseClasses),
  }
  const period = optional(o, 'updatePeriodSeconds', path, (x, p) => asInteger(x, p, 0, 86400))
  if (period !== undefined) spec.updatePeriodSeconds = period
  return spec
}

/** Status is what an agent reported; it is shown, never rendered, so its shape is only checked at the top. */
export function parseCalicoNodeStatusStatus(v: unknown, path: string): CalicoNodeStatusStatus {
  const o = asObject(v, path)
  checkFields(o, path, ['lastUpdated', 'agent', 'bgp', 'routes'])
  return cloneJson(o, path) as CalicoNodeStatusStatus
}
