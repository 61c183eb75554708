/**
 * What the CLI benchmark's replayed BIRD sockets answer: BIRD 1.6.8's wire format (as
 * recorded from a real daemon) for `show status` and `show protocols all` of a node with
 * `peers` BGP sessions — the node-to-node mesh, Established, and one global peer that
 * cannot connect — beside the kernel, device, direct and static protocols of a rendered
 * bird.cfg.
 */

export function statusReply(routerId: string): string {
  return (
    `1000-BIRD 1.6.8\n1011-Router ID is ${routerId}\n Current server time is 2026-11-22 11:42:37\n` +
    ' Last reboot on 2026-11-22 11:40:21\n Last reconfiguration on 2026-11-22 11:40:21\n0013 Daemon is up and running\n'
  )
}

const STATS = [
  '   Route change stats:     received   rejected   filtered    ignored   accepted',
  '     Import updates:              1          0          0          0          1',
  '     Import withdraws:            0          0        ---          0          0',
  '     Export updates:              3          1          1        ---          1',
  '     Export withdraws:            0        ---        ---        ---          0',
]

function plain(name: string, proto: string, preference: number): string[] {
  return [
    `1002-${name.padEnd(8)} ${proto.padEnd(8)} master   up     11:40:21    `,
    `1006-  Preference:     ${preference}`,
    '   Input filter:   ACCEPT',
    '   Output filter:  REJECT',
    '   Routes:         1 imported, 0 exported, 1 preferred',
    ...STATS,
    ' ',
  ]
}

function bgp(name: string, neighbor: string, self: string, established: boolean): string[] {
  const head = established
    ? `1002-${name} BGP      master   up     11:42:35    Established   `
    : `1002-${name} BGP      master   start  11:42:33    Active        Socket: Connection refused`
  const state = established
    ? [
        '   BGP state:          Established',
        `     Neighbor address: ${neighbor}`,
        '     Neighbor AS:      64512',
        `     Neighbor ID:      ${neighbor}`,
        '     Neighbor caps:    refresh enhanced-refresh restart-able llgr-aware AS4',
        '     Session:          internal multihop AS4',
        `     Source address:   ${self}`,
        '     Hold timer:       6/9',
        '     Keepalive timer:  2/3',
      ]
    : [
        '   BGP state:          Active',
        `     Neighbor address: ${neighbor}`,
        '     Neighbor AS:      64512',
        '     Connect delay:    1/1',
        '     Last error:       Socket: Connection refused',
      ]
  return [
    head,
    '1006-  Preference:     100',
    '   Input filter:   ACCEPT',
    '   Output filter:  export_pod_blocks',
    `   Routes:         ${established ? 1 : 0} imported, 1 exported, ${established ? 1 : 0} preferred`,
    ...STATS,
    ...state,
    ' ',
  ]
}

export function protocolsAllReply(family: 4 | 6, peers: number): string {
  const addr = (i: number) => (family === 4 ? `10.99.${i >> 8}.${i & 255}` : `fd99::${i.toString(16)}`)
  const self = addr(1)
  const lines = ['2002-name     proto    table    state  since       info', ...plain('kernel1', 'Kernel', 10), ...plain('device1', 'Device', 240), ...plain('direct1', 'Direct', 240), ...plain('static1', 'Static', 200)]
  for (let i = 0; i < peers; i++) {
    const neighbor = addr(i + 2)
    const global = i === peers - 1
    lines.push(...bgp(`${global ? 'Global' : 'Mesh'}_${neighbor.replace(/[.:]/g, '_')}`, neighbor, self, !global))
  }
  return `${lines.join('\n')}\n0000 \n`
}
