/**
 * The parse benchmark's replies in BIRD 2.0.12's wire format, with the same routes as the
 * BIRD 1.6 ones (the replay helper's generator: a via, a blackhole, a device route, then a
 * second, non-selected BGP path to the first network). BIRD 2 writes them differently (as
 * recorded in test/fixtures/bird-2.0.12/): every table starts with a `Table master4:` line,
 * a unicast route says only "unicast" and puts its next hop on the line after it
 * (`\tvia GW on IFACE`, `\tdev IFACE`), networks are padded to 20 columns and times carry
 * milliseconds. So BIRD 2's `show route` has 1.75 lines per route where BIRD 1.6's has one.
 */

/** The route line and the lines under it (next hop; with `all`, type and attributes). */
function routeLines(i: number, all: boolean): string[] {
  const slot = i % 4
  const n = slot === 3 ? i - 1 : i
  const network = slot === 3 ? '' : `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/32`
  const dest = network.padEnd(20, ' ')
  switch (slot) {
    case 0:
      return [
        `${dest} unicast [Mesh_10_99_0_2 11:42:35.262] * (100) [AS64513i]`,
        '\tvia 10.99.0.2 on eth0',
        ...(all ? ['\tType: BGP univ', '\tBGP.origin: IGP', '\tBGP.as_path: 64513', '\tBGP.next_hop: 10.99.0.2', '\tBGP.local_pref: 100'] : []),
      ]
    case 1:
      return [`${dest} blackhole [pod_blocks 11:40:21.403] * (200)`, ...(all ? ['\tType: static univ'] : [])]
    case 2:
      return [`${dest} unicast [direct1 11:40:21.404] * (240)`, '\tdev eth0', ...(all ? ['\tType: device univ'] : [])]
    default:
      return [
        `${dest} unicast [Mesh_10_99_0_3 11:42:36.287] (100) [AS64514?]`,
        '\tvia 10.99.0.3 on eth1',
        ...(all
          ? ['\tType: BGP univ', '\tBGP.origin: Incomplete', '\tBGP.as_path: 64514', '\tBGP.next_hop: 10.99.0.3', '\tBGP.local_pref: 100', '\tBGP.community: (64512,100) (64512,200)']
          : []),
      ]
  }
}

/** BIRD's reply code of a line of `all`: 1008 for the type, 1012 for the first attribute. */
function codeOf(line: string, first: boolean): string | undefined {
  if (line.startsWith('\tType: ')) return '1008'
  if (first && line.startsWith('\tBGP.')) return '1012'
  return undefined
}

/**
 * `show route` (all = false) or `show route all` of `count` routes, ~64 KiB at a time, for
 * the replay server's `generate` mode. A line carries a code (`1007-`, …) when its code
 * differs from the previous line's, and a space otherwise, as BIRD does.
 */
export function generatedBird2RouteReply(count: number, all: boolean): () => Iterable<string> {
  return function* () {
    let piece = '1007-Table master4:\n'
    for (let i = 0; i < count; i++) {
      const lines = routeLines(i, all)
      // The route line follows the table line (1007) or, with `all`, an attribute line.
      piece += `${all && i > 0 ? '1007-' : ' '}${lines[0]}\n`
      let attributes = false
      for (let k = 1; k < lines.length; k++) {
        const line = lines[k]!
        const code = codeOf(line, !attributes)
        if (line.startsWith('\tBGP.')) attributes = true
        piece += `${code === undefined ? ' ' : `${code}-`}${line}\n`
      }
      if (piece.length >= 65_536) {
        yield piece
        piece = ''
      }
    }
    yield `${piece}0000 \n`
  }
}

export const BIRD2_GREETING = '0001 BIRD 2.0.12 ready.\n'

/** Enough of BIRD 2's `show status` for a client to connect and prove the connection. */
export const BIRD2_STATUS_REPLY =
  '1000-BIRD 2.0.12\n1011-Router ID is 10.99.0.1\n Hostname is bench\n Current server time is 2026-11-22 11:42:40.923\n' +
  ' Last reboot on 2026-11-22 11:40:20.403\n Last reconfiguration on 2026-11-22 11:40:20.403\n0013 Daemon is up and running\n'
