import t from 'tap'
import { validateKind } from '../../../src/api/index.js'
import { doc, expectInvalid } from './helpers.js'

const pool = (spec: unknown): Record<string, unknown> => doc('IPPool', spec, { name: 'default-ipv4-ippool' })

t.test('valid pools: canonical CIDR and default block size', async (t) => {
  const cases: [unknown, unknown][] = [
    [{ cidr: '192.168.0.0/16' }, { cidr: '192.168.0.0/16', blockSize: 26 }],
    [{ cidr: 'FD00:1234:0::/48' }, { cidr: 'fd00:1234::/48', blockSize: 122 }],
    [{ cidr: '10.0.0.0/8', blockSize: 20 }, { cidr: '10.0.0.0/8', blockSize: 20 }],
    [{ cidr: '10.0.0.0/8', blockSize: 32 }, { cidr: '10.0.0.0/8', blockSize: 32 }],
    [{ cidr: 'fd00::/48', blockSize: 116 }, { cidr: 'fd00::/48', blockSize: 116 }],
    [{ cidr: 'fd00::/48', blockSize: 128 }, { cidr: 'fd00::/48', blockSize: 128 }],
    [{ cidr: '10.0.0.0/26' }, { cidr: '10.0.0.0/26', blockSize: 26 }], // exactly one block
    [{ cidr: '10.0.0.0/30', disabled: true }, { cidr: '10.0.0.0/30', blockSize: 26, disabled: true }], // Calico skips the size check
    [{ cidr: '10.0.0.0/16', ipipMode: 'Always', vxlanMode: 'Never', natOutgoing: true },
      { cidr: '10.0.0.0/16', blockSize: 26, ipipMode: 'Always', vxlanMode: 'Never', natOutgoing: true }],
    [{ cidr: '10.0.0.0/16', ipipMode: 'Never', vxlanMode: 'CrossSubnet' }, { cidr: '10.0.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'CrossSubnet' }],
    [{ cidr: 'fd00::/48', ipipMode: 'Never', vxlanMode: 'Always' }, { cidr: 'fd00::/48', blockSize: 122, ipipMode: 'Never', vxlanMode: 'Always' }],
    [{ cidr: '10.0.0.0/16', disabled: false, disableBGPExport: true, nodeSelector: "rack == 'r1'", allowedUses: ['Workload', 'Tunnel'] },
      { cidr: '10.0.0.0/16', blockSize: 26, disabled: false, disableBGPExport: true, nodeSelector: "rack == 'r1'", allowedUses: ['Workload', 'Tunnel'] }],
    [{ cidr: '10.0.0.0/16', ipipMode: '', nodeSelector: '' }, { cidr: '10.0.0.0/16', blockSize: 26 }],
    [{ cidr: '10.0.0.0/16', assignmentMode: 'Automatic' }, { cidr: '10.0.0.0/16', blockSize: 26, assignmentMode: 'Automatic' }],
  ]
  for (const [spec, want] of cases) t.same(validateKind('IPPool', pool(spec)).spec, want, JSON.stringify(spec))
})

t.test('invalid pools name the field', async (t) => {
  const cases: [unknown, string, string][] = [
    [{}, 'spec.cidr', 'required'],
    [undefined, 'spec.cidr', 'required'],
    [{ cidr: '' }, 'spec.cidr', 'required'],
    [{ cidr: '192.168.0.1/16' }, 'spec.cidr', 'host bits are set (did you mean 192.168.0.0/16?)'],
    [{ cidr: 'fd00::1/48' }, 'spec.cidr', 'did you mean fd00::/48?'],
    [{ cidr: '192.168.0.0' }, 'spec.cidr', 'is not a CIDR'],
    [{ cidr: '192.168.0.0/33' }, 'spec.cidr', 'prefix length must be between 0 and 32'],
    [{ cidr: '192.168.00.0/16' }, 'spec.cidr', 'leading zeros'],
    [{ cidr: '10.0.0.0/16', blockSize: 19 }, 'spec.blockSize', 'between 20 and 32 for an IPv4 pool'],
    [{ cidr: '10.0.0.0/16', blockSize: 33 }, 'spec.blockSize', 'between 20 and 32 for an IPv4 pool'],
    [{ cidr: 'fd00::/48', blockSize: 115 }, 'spec.blockSize', 'between 116 and 128 for an IPv6 pool'],
    [{ cidr: 'fd00::/48', blockSize: 129 }, 'spec.blockSize', 'between 116 and 128 for an IPv6 pool'],
    [{ cidr: 'fd00::/48', blockSize: 26 }, 'spec.blockSize', 'between 116 and 128'],
    [{ cidr: '10.0.0.0/16', blockSize: '26' }, 'spec.blockSize', 'expected an integer'],
    [{ cidr: '10.0.0.0/16', blockSize: 26.5 }, 'spec.blockSize', 'expected an integer'],
    [{ cidr: '10.0.0.0/27' }, 'spec.cidr', 'a /27 pool is smaller than one block (blockSize 26)'],
    [{ cidr: '10.0.0.0/24', blockSize: 20 }, 'spec.cidr', 'smaller than one block'],
    [{ cidr: 'fd00::/123' }, 'spec.cidr', 'smaller than one block (blockSize 122)'],
    [{ cidr: '10.0.0.0/16', ipipMode: 'always' }, 'spec.ipipMode', 'must be one of Never, Always, CrossSubnet'],
    [{ cidr: '10.0.0.0/16', vxlanMode: true }, 'spec.vxlanMode', 'must be one of Never, Always, CrossSubnet'],
    [{ cidr: 'fd00::/48', ipipMode: 'Always' }, 'spec.ipipMode', 'must be Never on an IPv6 pool'],
    [{ cidr: 'fd00::/48', ipipMode: 'CrossSubnet' }, 'spec.ipipMode', 'IPv4 only'],
    [{ cidr: '10.0.0.0/16', ipipMode: 'Always', vxlanMode: 'CrossSubnet' }, 'spec.vxlanMode', 'cannot both be enabled'],
    [{ cidr: '169.254.0.0/16' }, 'spec.cidr', 'overlaps the link-local range 169.254.0.0/16'],
    [{ cidr: '169.0.0.0/8' }, 'spec.cidr', 'link-local'],
    [{ cidr: '169.254.3.0/24' }, 'spec.cidr', 'link-local'],
    [{ cidr: 'fe80::/64' }, 'spec.cidr', 'overlaps the link-local range fe80::/10'],
    [{ cidr: 'fe00::/7' }, 'spec.cidr', 'link-local'],
    [{ cidr: '10.0.0.0/16', natOutgoing: 'yes' }, 'spec.natOutgoing', 'expected true or false'],
    [{ cidr: '10.0.0.0/16', disabled: 1 }, 'spec.disabled', 'expected true or false'],
    [{ cidr: '10.0.0.0/16', disableBGPExport: 'false' }, 'spec.disableBGPExport', 'expected true or false'],
    [{ cidr: '10.0.0.0/16', nodeSelector: 'rack ==' }, 'spec.nodeSelector', 'invalid selector: column 8'],
    [{ cidr: '10.0.0.0/16', allowedUses: ['Workload', 'Workload'] }, 'spec.allowedUses[1]', 'duplicate use "Workload"'],
    [{ cidr: '10.0.0.0/16', allowedUses: ['workload'] }, 'spec.allowedUses[0]', 'must be one of Workload, Tunnel'],
    [{ cidr: '10.0.0.0/16', allowedUses: 'Workload' }, 'spec.allowedUses', 'expected a list'],
    [{ cidr: '10.0.0.0/16', blocksize: 26 }, 'spec.blocksize', 'did you mean "blockSize"?'],
    [{ cidr: '10.0.0.0/16', 'nat-outgoing': true }, 'spec.nat-outgoing', 'did you mean "natOutgoing"?'],
    [{ cidr: '10.0.0.0/16', ipip: { enabled: true } }, 'spec.ipip', 'unknown field'],
  ]
  for (const [spec, path, fragment] of cases) {
    expectInvalid(t, () => validateKind('IPPool', pool(spec)), path, fragment, JSON.stringify(spec))
  }
})
