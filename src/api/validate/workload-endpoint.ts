import type { WorkloadEndpointSpec } from '../types.js'
import { asArray, asObject, asString, assignOptional, assignOptionalText, checkFields, copyPreserved, item, required } from './fields.js'
import { parseCidr } from './ip.js'
import { parseName } from './names.js'

/** falconer reads WorkloadEndpoints (only spec.node matters to it) and keeps the rest as written. */
const TYPED = ['node', 'orchestrator', 'workload', 'endpoint', 'interfaceName', 'ipNetworks'] as const

const PRESERVED = [
  'containerID',
  'pod',
  'serviceAccountName',
  'ipNATs',
  'ipv4Gateway',
  'ipv6Gateway',
  'profiles',
  'mac',
  'ports',
  'allowSpoofedSourcePrefixes',
  'qosControls',
  'awsElasticIPs',
] as const

const ipNetworks = (v: unknown, path: string): string[] =>
  asArray(v, path).map((x, i) => parseCidr(x, item(path, i), { allowAddress: true }).cidr)

export function parseWorkloadEndpointSpec(v: unknown, path: string): WorkloadEndpointSpec {
  const o = asObject(v ?? {}, path)
  checkFields(o, path, [...TYPED, ...PRESERVED])
  const spec: WorkloadEndpointSpec = { node: required(o, 'node', path, parseName) }
  for (const key of ['orchestrator', 'workload', 'endpoint', 'interfaceName'] as const) {
    assignOptionalText(spec, key, o, path, asString)
  }
  assignOptional(spec, 'ipNetworks', o, path, ipNetworks)
  copyPreserved(o, path, PRESERVED, spec)
  return spec
}
