import type { ObjectMeta } from '../types.js'
import { ValidationError } from '../errors.js'
import {
  asObject, asString, assignOptional, assignOptionalText, checkFields, child, copyPreserved, describe, isAbsent, required,
} from './fields.js'
import { parseAnnotations, parseDnsLabel, parseLabels, parseName } from './names.js'

const TYPED = ['name', 'namespace', 'resourceVersion', 'uid', 'creationTimestamp', 'labels', 'annotations'] as const

/**
 * Kubernetes ObjectMeta fields falconer does not use. Calico objects may carry them (e.g. a
 * WorkloadEndpoint's generateName); they are kept verbatim.
 */
const PRESERVED = [
  'generateName',
  'generation',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'finalizers',
  'ownerReferences',
  'managedFields',
  'selfLink',
  'clusterName',
] as const

export interface MetadataRules {
  /** Validates metadata.name beyond the generic RFC 1123 subdomain check. */
  name?: (name: string, path: string) => void
  /** Only WorkloadEndpoints live in a namespace. */
  namespaced: boolean
}

function parseResourceVersion(v: unknown, path: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v)
  return asString(v, path)
}

export function parseMetadata(raw: unknown, path: string, rules: MetadataRules): ObjectMeta {
  if (isAbsent(raw)) throw new ValidationError(path, 'required')
  const o = asObject(raw, path)
  checkFields(o, path, [...TYPED, ...PRESERVED])
  const name = required(o, 'name', path, parseName)
  rules.name?.(name, child(path, 'name'))
  const meta: ObjectMeta = { name }
  if (rules.namespaced) {
    meta.namespace = required(o, 'namespace', path, parseDnsLabel)
  } else if (!isAbsent(o.namespace) && o.namespace !== '') {
    throw new ValidationError(child(path, 'namespace'), `this kind is not namespaced, got ${describe(o.namespace)}`)
  }
  assignOptionalText(meta, 'resourceVersion', o, path, parseResourceVersion)
  assignOptionalText(meta, 'uid', o, path, asString)
  assignOptionalText(meta, 'creationTimestamp', o, path, asString)
  assignOptional(meta, 'labels', o, path, parseLabels)
  assignOptional(meta, 'annotations', o, path, parseAnnotations)
  copyPreserved(o, path, PRESERVED, meta)
  return meta
}
