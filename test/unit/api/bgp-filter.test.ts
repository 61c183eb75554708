import t from 'tap'
import { validateKind, validateResource } from '../../../src/api/index.js'
import { doc, expectInvalid } from './helpers.js'

const filter = (spec: unknown): Record<string, unknown> => doc('BGPFilter', spec, { name: 'tor-filter' })

t.test('BGPFilter rules per family and direction are validated and kept as written', async (t) => {
  const spec = {
    exportV4: [{ action: 'Reject', matchOperator: 'In', cidr: '10.99.128.0/17', prefixLength: { min: 28 } }, { action: 'Accept' }],
    importV4: [{ action: 'Accept', source: 'RemotePeers', interface: 'eth*' }],
    exportV6: [{ action: 'Reject', matchOperator: 'NotEqual', cidr: 'fd99:100::/48', prefixLength: { min: 64, max: 122 } }],
    importV6: [],
  }
  t.same(validateKind('BGPFilter', filter(spec)).spec, spec)
  t.equal(validateResource(filter({})).kind, 'BGPFilter')
})

t.test('invalid BGPFilters name the field and the reason', async (t) => {
  const cases: [unknown, string, string][] = [
    [{ exportV4: [{}] }, 'spec.exportV4[0].action', 'required'],
    [{ exportV4: [{ action: 'Drop' }] }, 'spec.exportV4[0].action', 'must be one of Accept, Reject'],
    [{ exportV4: [{ action: 'Accept', cidr: '10.0.0.0/8' }] }, 'spec.exportV4[0].matchOperator', 'must be set together'],
    [{ exportV4: [{ action: 'Accept', matchOperator: 'In' }] }, 'spec.exportV4[0].cidr', 'must be set together'],
    [{ exportV4: [{ action: 'Accept', matchOperator: 'Like', cidr: '10.0.0.0/8' }] }, 'spec.exportV4[0].matchOperator', 'must be one of'],
    [{ exportV4: [{ action: 'Accept', matchOperator: 'In', cidr: 'fd00::/8' }] }, 'spec.exportV4[0].cidr', ''],
    [{ exportV4: [{ action: 'Accept', matchOperator: 'In', cidr: '10.0.0.1/8' }] }, 'spec.exportV4[0].cidr', ''],
    [{ importV6: [{ action: 'Accept', matchOperator: 'In', cidr: 'fd00::/8', prefixLength: { max: 129 } }] }, 'spec.importV6[0].prefixLength.max', 'between 0 and 128'],
    [{ importV4: [{ action: 'Accept', prefixLength: { min: 24 } }] }, 'spec.importV4[0].prefixLength', 'requires cidr'],
    [{ importV4: [{ action: 'Accept', source: 'Kernel' }] }, 'spec.importV4[0].source', 'must be one of RemotePeers'],
    [{ importV4: [{ action: 'Accept', interface: 'eth"0' }] }, 'spec.importV4[0].interface', 'not an interface pattern'],
    [{ importV4: [{ action: 'Accept', peerType: 'eBGP' }] }, 'spec.importV4[0].peerType', 'not supported by falconer'],
    [{ exportV4: [{ action: 'Accept', operations: [{ prependASPath: { prefix: [65000] } }] }] }, 'spec.exportV4[0].operations', 'not supported by falconer'],
    [{ exportV5: [] }, 'spec.exportV5', 'unknown field'],
  ]
  for (const [spec, path, reason] of cases) expectInvalid(t, () => validateKind('BGPFilter', filter(spec)), path, reason, JSON.stringify(spec))
})

t.test('BGPConfiguration: programClusterRoutes is kept; route priorities are refused with why', async (t) => {
  const cfg = (spec: unknown) => doc('BGPConfiguration', spec, { name: 'default' })
  t.same(validateKind('BGPConfiguration', cfg({ programClusterRoutes: 'Disabled' })).spec, { programClusterRoutes: 'Disabled' })
  expectInvalid(t, () => validateKind('BGPConfiguration', cfg({ programClusterRoutes: 'Sometimes' })), 'spec.programClusterRoutes', 'must be one of')
  expectInvalid(t, () => validateKind('BGPConfiguration', cfg({ ipv4NormalRoutePriority: 1024 })), 'spec.ipv4NormalRoutePriority', 'kernel route metrics')
  expectInvalid(t, () => validateKind('BGPConfiguration', cfg({ ipv6NormalRoutePriority: 1024 })), 'spec.ipv6NormalRoutePriority', 'kernel route metrics')
})
