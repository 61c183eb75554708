import { TOR_AS, TOR_V4, TOR_V6 } from './topology.js'

/** What the lab applies with `falconer apply -f`, as an operator would. */

/** The top-of-rack router as a global peer of every node (IPv4 and IPv6 sessions). */
export function torPeersManifest(): string {
  return `# The top-of-rack router, a global peer of every node (IPv4 and IPv6 sessions).
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: tor-v4
spec:
  peerIP: ${TOR_V4}
  asNumber: ${TOR_AS}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: tor-v6
spec:
  peerIP: ${TOR_V6}
  asNumber: ${TOR_AS}
`
}
