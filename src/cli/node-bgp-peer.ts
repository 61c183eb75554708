import type { Command } from 'commander'
import { ValidationError } from '../api/errors.js'
import { legacyPeerName } from '../api/legacy.js'
import { API_VERSION, type BGPPeer } from '../api/types.js'
import { parseAsNumber, validateKind } from '../api/validate/index.js'
import type { ResourceStore } from '../datastore/store.js'
import { resolveNodeName } from '../node/nodename.js'
import { updateWithRetry } from './cas.js'
import { cliSettings, withStore, write } from './context.js'
import { CliError, naming } from './errors.js'
import { nodeFlag } from './node-flag.js'
import { parsePeerArgument, peerMatches, type PeerAddress } from './peers.js'
import { nodePeerTable } from './print/peer-tables.js'

/** The parsed options of the peer commands; the node is read with nodeFlag. */
type NameOption = Record<string, unknown>

export async function peerAdd(ipText: string, asWord: string, asArg: string | undefined, opts: NameOption, cmd: Command): Promise<void> {
  // calicoctl's syntax is `add <PEER_IP> as <AS_NUM>`; `add <PEER_IP> <AS_NUM>` is taken too.
  let asText: string
  if (asWord === 'as') {
    if (asArg === undefined) throw new CliError(`missing AS number: expected 'add ${ipText} as <AS_NUM>'`)
    asText = asArg
  } else if (asArg === undefined) {
    asText = asWord
  } else {
    throw new CliError(`Invalid syntax '${asWord}': expected 'add <PEER_IP> as <AS_NUM>'`)
  }
  const peerIP = parsePeerArgument(ipText)
  const asNumber = parseAsArgument(asText)
  const nodeName = thisNode(cmd, opts)
  await withStore(cmd, (store) => addPeer(store, nodeName, peerIP, asNumber))
}

export async function peerRemove(ipText: string, opts: NameOption, cmd: Command): Promise<void> {
  const peerIP = parsePeerArgument(ipText)
  const nodeName = thisNode(cmd, opts)
  await withStore(cmd, (store) => removePeer(store, nodeName, peerIP, ipText))
  write('BGP peer removed from node configuration\n')
}

export async function peerShow(opts: NameOption & { ipv4?: boolean; ipv6?: boolean }, cmd: Command): Promise<void> {
  if (opts.ipv4 && opts.ipv6) throw new CliError('--ipv4 and --ipv6 cannot be used together')
  const families: (4 | 6)[] = opts.ipv4 ? [4] : opts.ipv6 ? [6] : [4, 6]
  const nodeName = thisNode(cmd, opts)
  const peers = await withStore(cmd, (store) => store.list('BGPPeer'))
  write(families.map((f) => nodePeerTable(peers, nodeName, f)).join(''))
}

function thisNode(cmd: Command, opts: NameOption): string {
  const settings = cliSettings(cmd)
  return resolveNodeName({ name: nodeFlag(opts, ['--name']), env: process.env, nodenameFile: settings.paths.nodenameFile })
}

function parseAsArgument(text: string): number {
  try {
    return parseAsNumber(text)
  } catch (err) {
    if (err instanceof ValidationError) throw new CliError(`Invalid AS Number specified: ${naming(text, err.reason)}`)
    throw err
  }
}

/** `10.0.0.1`, `10.0.0.1:1790`, `fd00::1`, `[fd00::1]:1790`: Calico's peerIP forms. */
function peerIPText(p: PeerAddress): string {
  if (p.port === undefined) return p.address
  return p.family === 6 ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`
}

async function addPeer(store: ResourceStore, node: string, peer: PeerAddress, asNumber: number): Promise<void> {
  const filter = { scope: 'node' as const, node, peer }
  const existing = (await store.list('BGPPeer')).filter((p) => peerMatches(p, filter))
  // A peer configured earlier (by this command or a v3 manifest) is updated in place, not duplicated.
  const names = existing.length > 0 ? existing.map((p) => p.metadata.name) : [legacyPeerName('node', peerIPText(peer), node)]
  for (const name of names) {
    await updateWithRetry(store, 'BGPPeer', name, (current) => {
      const next: BGPPeer = {
        apiVersion: API_VERSION,
        kind: 'BGPPeer',
        metadata: current?.metadata ?? { name },
        spec: { ...(current?.spec ?? {}), node, peerIP: current?.spec.peerIP ?? peerIPText(peer), asNumber },
      }
      return validateKind('BGPPeer', next)
    })
  }
}

async function removePeer(store: ResourceStore, node: string, peer: PeerAddress, typed: string): Promise<void> {
  const matches = (await store.list('BGPPeer')).filter((p) => peerMatches(p, { scope: 'node', node, peer }))
  if (matches.length === 0) throw new CliError(`Peer not found: ${typed} is not a configured peer for node '${node}'`)
  for (const p of matches) {
    const rv = p.metadata.resourceVersion
    await store.delete('BGPPeer', p.metadata.name, rv !== undefined ? { resourceVersion: rv } : undefined)
  }
}
