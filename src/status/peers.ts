import { isIPv4, isIPv6 } from 'node:net'
import type { PeerType } from '../api/types.js'
import type { ProtocolDetails } from '../bird/replies/protocol-details.js'
import type { Protocol, ProtocolState } from '../bird/replies/protocols.js'
import type { BirdTimestamp } from '../bird/replies/timestamp.js'
import type { IpFamily, PeerSample } from './samples.js'

/**
 * The BGP protocols falconer's templates write are named for their peer (invariant 4 in docs/design.md):
 * `Mesh_10_99_0_2`, `Global_fd99__9`, `Node_10_99_0_7_port_1790`. Only those count as
 * peers here, as in calicoctl; any other BGP protocol is not one of ours.
 */
const PEER_NAME = /^(Mesh|Global|Node)_(.+?)(?:_port_(\d+))?$/

const TYPES: Readonly<Record<string, PeerType>> = { Mesh: 'NodeMesh', Global: 'GlobalPeer', Node: 'NodePeer' }

/** calicoctl's PEER TYPE column. */
export const PEER_TYPE_LABELS: Readonly<Record<PeerType, string>> = {
  NodeMesh: 'node-to-node mesh',
  GlobalPeer: 'global',
  NodePeer: 'node specific',
}

export interface PeerName {
  readonly type: PeerType
  /** The address the name encodes (`_` → `.` for IPv4, `_` → `:` for IPv6); undefined when it encodes none. */
  readonly address: string | undefined
  readonly port: number | undefined
}

export function parsePeerName(name: string, family: IpFamily): PeerName | undefined {
  const m = PEER_NAME.exec(name)
  if (m === null) return undefined
  const [, kind, encoded, port] = m as unknown as [string, string, string, string | undefined]
  const type = TYPES[kind]
  if (type === undefined) return undefined
  const address = encoded.replaceAll('_', family === 4 ? '.' : ':')
  const valid = family === 4 ? isIPv4(address) : isIPv6(address)
  return { type, address: valid ? address : undefined, port: port === undefined ? undefined : Number(port) }
}

/** One BGP session of one daemon, in the terms `node status` and CalicoNodeStatus use. */
export interface PeerRow {
  readonly protocol: string
  readonly peerIP: string
  readonly type: PeerType
  /** BIRD's protocol state (up, start, down, …): the STATE column. */
  readonly state: ProtocolState
  readonly since: BirdTimestamp
  /** BGP state (Established, Active, …); '' when BIRD does not say (a down protocol). */
  readonly bgpState: string
  /** BGP state plus whatever BIRD adds, e.g. "Active Socket: Connection refused": the INFO column. */
  readonly info: string
}

/** RFC 4271's states, the only values CalicoNodeStatus knows; BIRD's Down/Passive are not among them. */
const FSM_STATES: ReadonlySet<string> = new Set(['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established', 'Close'])

/**
 * Our BGP protocols as peers, in BIRD's order. The neighbor address of `show protocols all`
 * wins over the one decoded from the name (it is what BIRD really dials).
 */
export function peerRows(protocols: readonly (Protocol | ProtocolDetails)[], family: IpFamily): PeerRow[] {
  const rows: PeerRow[] = []
  for (const p of protocols) {
    if (p.proto !== 'BGP') continue
    const name = parsePeerName(p.name, family)
    if (name === undefined) continue
    const details = 'bgpDetails' in p ? p.bgpDetails : undefined
    const peerIP = details?.neighborAddress ?? name.address
    if (peerIP === undefined) continue
    const bgpState = details?.state ?? p.bgp?.state ?? ''
    rows.push({
      protocol: p.name,
      peerIP,
      type: name.type,
      state: p.state,
      since: p.since,
      bgpState: FSM_STATES.has(bgpState) ? bgpState : '',
      // A session falconer holds down says why in its description.
      info: 'description' in p && p.description?.startsWith('withheld:') === true ? p.description : p.info.split(/\s+/).filter((w) => w !== '').join(' '),
    })
  }
  return rows
}

export function peerSamples(rows: readonly PeerRow[]): PeerSample[] {
  return rows.map((r) => ({ protocol: r.protocol, peerIP: r.peerIP, type: r.type, bgpState: r.bgpState }))
}
