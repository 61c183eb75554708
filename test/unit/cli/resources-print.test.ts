import t from 'tap'
import type { BGPConfiguration, IPPool, Node } from '../../../src/api/types.js'
import { listForm, resourceTable, toJson, toYaml, wireForm } from '../../../src/cli/print/resources.js'

const pool: IPPool = { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: '192.168.0.0/16', natOutgoing: true, ipipMode: 'Never' } }

t.test('ippool tables, plain and wide', async (t) => {
  t.equal(resourceTable('IPPool', [pool], false, { defaultAsNumber: 64512 }), 'NAME                  CIDR             SELECTOR   \ndefault-ipv4-ippool   192.168.0.0/16              \n\n')
  t.equal(
    resourceTable('IPPool', [pool], true, { defaultAsNumber: 64512 }),
    'NAME                  CIDR             NAT    IPIPMODE   VXLANMODE   DISABLED   SELECTOR   \n' +
      'default-ipv4-ippool   192.168.0.0/16   true   Never      Never       false                 \n\n',
  )
})

t.test('bgpconfig table shows - for unset mesh and AS, as calicoctl', async (t) => {
  const c: BGPConfiguration = { apiVersion: 'projectcalico.org/v3', kind: 'BGPConfiguration', metadata: { name: 'default' }, spec: { logSeverityScreen: 'Info' } }
  t.equal(resourceTable('BGPConfiguration', [c], false, { defaultAsNumber: 64512 }), 'NAME      LOGSEVERITY   MESHENABLED   ASNUMBER   \ndefault   Info          -             -          \n\n')
})

t.test('wide node table: inherited AS in parentheses', async (t) => {
  const n: Node = { apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name: 'n1' }, spec: { bgp: { ipv4Address: '10.0.0.1/24' } } }
  t.equal(resourceTable('Node', [n], true, { defaultAsNumber: 64600 }), 'NAME   ASN       IPV4          IPV6   \nn1     (64600)   10.0.0.1/24          \n\n')
})

t.test('yaml: sorted keys, calicoctl list layout; json: TypeMeta first', async (t) => {
  t.equal(
    toYaml(listForm('IPPool', [pool])),
    'apiVersion: projectcalico.org/v3\nitems:\n- apiVersion: projectcalico.org/v3\n  kind: IPPool\n  metadata:\n    name: default-ipv4-ippool\n  spec:\n    cidr: 192.168.0.0/16\n    ipipMode: Never\n    natOutgoing: true\nkind: IPPoolList\n',
  )
  t.match(toJson(wireForm(pool)), /^\{\n {2}"kind": "IPPool",\n {2}"apiVersion": "projectcalico.org\/v3",\n {2}"metadata": \{/)
  t.equal(toYaml({ metadata: { resourceVersion: '12' } }), 'metadata:\n  resourceVersion: "12"\n', 'numeric strings stay strings')
})
