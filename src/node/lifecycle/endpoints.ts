import type { WorkloadEndpoint } from '../../api/types.js'
import type { ResourceStore } from '../../datastore/store.js'

/** The workload endpoints (all namespaces) that live on `nodeName`. */
export async function endpointsOfNode(store: ResourceStore, nodeName: string): Promise<WorkloadEndpoint[]> {
  return (await store.list('WorkloadEndpoint')).filter((w) => w.spec.node === nodeName)
}
