import type { InterfacePattern } from './method.js'

/**
 * Calico's default interface excludes for first-found and skip-interface: container,
 * virtual-machine, overlay and Calico's own devices, whose addresses never route a node.
 * Unanchored regexes (`^lo` also skips `lo2`), exactly as Calico has them.
 */
export const DEFAULT_INTERFACE_EXCLUDES: readonly string[] = [
  '^docker.*',
  '^cbr.*',
  '^dummy.*',
  '^podman.*',
  '^virbr.*',
  '^lxcbr.*',
  '^veth.*',
  '^lo',
  '^br-.*',
  '^cali.*',
  '^tunl.*',
  '^flannel.*',
  '^kube-ipvs.*',
  '^cni.*',
  '^vxlan\\.calico.*',
  '^vxlan-v6\\.calico.*',
  '^wireguard\\.cali.*',
  '^wg-v6\\.cali.*',
  '^nodelocaldns.*',
]

export const DEFAULT_EXCLUDE_PATTERNS: readonly InterfacePattern[] = DEFAULT_INTERFACE_EXCLUDES.map((source) => ({
  source,
  regex: new RegExp(source),
}))
