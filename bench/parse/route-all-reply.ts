/**
 * A `show route all` reply of N routes in BIRD 1.6.8's wire format, produced ~64 KiB at a
 * time (for the replay server's `generate` mode). The routes are those of the replay
 * helper's `show route` generator (a via, a blackhole, a device route, then a second,
 * non-selected BGP path to the first network), each followed by the attribute lines BIRD
 * prints for its kind — so the `all` reply has the same routes, 3.5 times the lines.
 */

function routeAll(i: number): string {
  const slot = i % 4
  const n = slot === 3 ? i - 1 : i
  const network = slot === 3 ? '' : `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/32`
  const dest = network.padEnd(18, ' ')
  switch (slot) {
    case 0:
      return (
        `1007-${dest} via 10.99.0.2 on eth0 [Mesh_10_99_0_2 11:42:35] * (100/0) [AS64513i]\n` +
        '1008-\tType: BGP unicast univ\n' +
        '1012-\tBGP.origin: IGP\n' +
        ' \tBGP.as_path: 64513\n' +
        ' \tBGP.next_hop: 10.99.0.2\n' +
        ' \tBGP.local_pref: 100\n'
      )
    case 1:
      return `1007-${dest} blackhole [pod_blocks 11:40:21] * (200)\n1008-\tType: static unicast univ\n`
    case 2:
      return `1007-${dest} dev eth0 [direct1 11:40:21] * (240)\n1008-\tType: device unicast univ\n`
    default:
      return (
        `1007-${dest} via 10.99.0.3 on eth1 [Mesh_10_99_0_3 2026-11-22 11:42:36] (100/10) [AS64514?]\n` +
        '1008-\tType: BGP unicast univ\n' +
        '1012-\tBGP.origin: Incomplete\n' +
        ' \tBGP.as_path: 64514\n' +
        ' \tBGP.next_hop: 10.99.0.3\n' +
        ' \tBGP.local_pref: 100\n' +
        ' \tBGP.community: (64512,100) (64512,200)\n'
      )
  }
}

export function generatedRouteAllReply(count: number): () => Iterable<string> {
  return function* () {
    let piece = ''
    for (let i = 0; i < count; i++) {
      piece += routeAll(i)
      if (piece.length >= 65_536) {
        yield piece
        piece = ''
      }
    }
    yield `${piece}0000 \n`
  }
}

/** Enough of `show status` for a client to connect and prove the connection. */
export const STATUS_REPLY =
  '1000-BIRD 1.6.8\n1011-Router ID is 10.99.0.1\n Current server time is 2026-11-22 11:42:40\n' +
  ' Last reboot on 2026-11-22 11:40:20\n Last reconfiguration on 2026-11-22 11:40:20\n0013 Daemon is up and running\n'
