import { PLURALS, type ResourceKind } from '../../api/types.js'

/**
 * etcd keys, as Problem.key: the one name an operator can `etcdctl get`.
 * Kept here (not imported from datastore/) because intent must not depend on the effectful layer.
 */
export function resourceKey(kind: ResourceKind, name: string): string {
  return `/calico/resources/v3/projectcalico.org/${PLURALS[kind]}/${name}`
}

export function affinityKey(node: string, family: 4 | 6, cidr: string): string {
  return `/calico/ipam/v2/host/${node}/ipv${family}/block/${cidr.replace('/', '-')}`
}
