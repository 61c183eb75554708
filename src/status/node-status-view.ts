import type { PeerType } from '../api/types.js'
import type { BirdTimestamp } from '../bird/replies/timestamp.js'
import { PEER_TYPE_LABELS, type PeerRow } from './peers.js'
import { tablewriterTable } from './peer-table.js'
import { shortSince } from './since.js'
import type { IpFamily } from './samples.js'

/** What `node status` found for one daemon. */
export type FamilyStatus =
  | { readonly running: false; readonly reason: string }
  | { readonly running: true; readonly serverTime: BirdTimestamp | undefined; readonly peers: readonly PeerRow[] }

export interface NodeStatusView {
  readonly v4: FamilyStatus
  readonly v6: FamilyStatus
}

export function isRunning(view: NodeStatusView): boolean {
  return view.v4.running || view.v6.running
}

const DAEMON = { 4: 'bird', 6: 'bird6' } as const
const HEADERS = ['PEER ADDRESS', 'PEER TYPE', 'STATE', 'SINCE', 'INFO'] as const

/** calicoctl's text: "Calico process is running." and a table (or a line) per family. */
export function renderNodeStatus(view: NodeStatusView, now: Date): string {
  if (!isRunning(view)) return 'Calico process is not running.\n'
  let out = 'Calico process is running.\n'
  for (const family of [4, 6] as const) {
    const status = family === 4 ? view.v4 : view.v6
    out += `\nIPv${family} BGP status\n`
    if (!status.running) {
      out += `Note: ${DAEMON[family]} is not running; IPv${family} status unavailable.\n`
    } else if (status.peers.length === 0) {
      out += `No IPv${family} peers found.\n`
    } else {
      const rows = status.peers.map((p) => [
        p.peerIP,
        PEER_TYPE_LABELS[p.type],
        p.state,
        shortSince(p.since, status.serverTime, now),
        p.info,
      ])
      out += tablewriterTable(HEADERS, rows)
    }
  }
  return out + '\n'
}

export interface PeerJson {
  readonly peerAddress: string
  readonly peerType: string
  readonly type: PeerType
  readonly protocol: string
  readonly state: string
  /** As BIRD printed it. */
  readonly since: string
  readonly bgpState: string
  readonly info: string
}

export type FamilyJson =
  | { readonly running: false; readonly daemon: 'bird' | 'bird6'; readonly reason: string }
  | { readonly running: true; readonly daemon: 'bird' | 'bird6'; readonly peers: readonly PeerJson[] }

export interface NodeStatusJson {
  readonly running: boolean
  readonly ipv4: FamilyJson
  readonly ipv6: FamilyJson
}

/** `-o json`: the same facts, unshortened. */
export function nodeStatusJson(view: NodeStatusView): NodeStatusJson {
  const family = (f: IpFamily, s: FamilyStatus): FamilyJson =>
    s.running
      ? {
          running: true,
          daemon: DAEMON[f],
          peers: s.peers.map((p) => ({
            peerAddress: p.peerIP,
            peerType: PEER_TYPE_LABELS[p.type],
            type: p.type,
            protocol: p.protocol,
            state: p.state,
            since: p.since.raw,
            bgpState: p.bgpState,
            info: p.info,
          })),
        }
      : { running: false, daemon: DAEMON[f], reason: s.reason }
  return { running: isRunning(view), ipv4: family(4, view.v4), ipv6: family(6, view.v6) }
}
