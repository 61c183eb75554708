import type { CalicoNodeStatusSpec, CalicoNodeStatusStatus, NodeStatusClass } from '../types.js'
import { asDistinctEnums, asInteger, asObject, assignOptional, checkFields, cloneJson, required } from './fields.js'
import { parseName } from './names.js'

const CLASSES: readonly NodeStatusClass[] = ['Agent', 'BGP', 'Routes']

export function parseCalicoNodeStatusSpec(v: unknown, path: string): CalicoNodeStatusSpec {
  const o = asObject(v ?? {}, path)
  checkFields(o, path, ['node', 'classes', 'updatePeriodSeconds'])
  const spec: CalicoNodeStatusSpec = {
    node: required(o, 'node', path, parseName),
    classes: required(o, 'classes', path, (x, p) => asDistinctEnums(x, p, CLASSES, 'class')),
  }
  assignOptional(spec, 'updatePeriodSeconds', o, path, (x, p) => asInteger(x, p, 0, 86400))
  return spec
}

/** Status is what an agent reported; it is shown, never rendered, so its shape is only checked at the top. */
export function parseCalicoNodeStatusStatus(v: unknown, path: string): CalicoNodeStatusStatus {
  const o = asObject(v, path)
  checkFields(o, path, ['lastUpdated', 'agent', 'bgp', 'routes'])
  return cloneJson(o, path) as CalicoNodeStatusStatus
}
