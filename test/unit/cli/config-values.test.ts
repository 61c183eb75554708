import t from 'tap'
import type { BGPConfiguration } from '../../../src/api/types.js'
import {
  effectiveAsNumber,
  globalLogLevelText,
  logLevelText,
  meshText,
  parseAsValue,
  parseConfigName,
  parseLogLevel,
  parseMesh,
  withSpec,
} from '../../../src/cli/config-values.js'
import { CliError } from '../../../src/cli/errors.js'

const cfg = (spec: BGPConfiguration['spec']): BGPConfiguration => ({ apiVersion: 'projectcalico.org/v3', kind: 'BGPConfiguration', metadata: { name: 'default', resourceVersion: '7' }, spec })

t.test('names are case-insensitive, as calicoctl', async (t) => {
  t.equal(parseConfigName('ASNUMBER'), 'asNumber')
  t.equal(parseConfigName('nodetonodemesh'), 'nodeToNodeMesh')
  t.throws(() => parseConfigName('ipip'), CliError)
})

t.test('values', async (t) => {
  t.equal(parseAsValue('64513'), 64513)
  t.equal(parseAsValue('1.10'), 65546)
  t.throws(() => parseAsValue('4294967296'), /invalid AS number: AS number must be between 1 and 4294967295, got 4294967296/)
  t.equal(parseMesh('on'), true)
  t.equal(parseMesh('off'), false)
  t.throws(() => parseMesh('On'), /invalid value 'On' for nodeToNodeMesh/)
  t.equal(parseLogLevel('WARNING'), 'Warning')
  t.equal(parseLogLevel('none'), 'None')
  t.equal(parseLogLevel('critical'), 'Fatal')
  t.throws(() => parseLogLevel('trace'), /invalid value 'trace' for logLevel/)
  t.equal(logLevelText('Fatal'), 'critical')
  t.equal(logLevelText('Debug'), 'debug')
})

t.test('defaults when unset', async (t) => {
  t.equal(effectiveAsNumber(undefined), 64512)
  t.equal(effectiveAsNumber(cfg({})), 64512)
  t.equal(effectiveAsNumber(cfg({ asNumber: 65000 })), 65000)
  t.equal(meshText(undefined), 'on')
  t.equal(meshText(cfg({ nodeToNodeMeshEnabled: false })), 'off')
  t.equal(globalLogLevelText(undefined), 'info')
  t.equal(globalLogLevelText(cfg({ logSeverityScreen: 'Error' })), 'error')
})

t.test('withSpec edits one field, keeps the rest and the metadata; undefined removes', async (t) => {
  const current = cfg({ asNumber: 65000, nodeToNodeMeshEnabled: false, communities: [{ name: 'a', value: '1:1' }] })
  const next = withSpec(current, 'default', { asNumber: undefined, logSeverityScreen: 'Debug' })
  t.same(next, {
    apiVersion: 'projectcalico.org/v3',
    kind: 'BGPConfiguration',
    metadata: { name: 'default', resourceVersion: '7' },
    spec: { nodeToNodeMeshEnabled: false, communities: [{ name: 'a', value: '1:1' }], logSeverityScreen: 'Debug' },
  })
  t.same(current.spec.asNumber, 65000, 'input untouched')
  t.same(withSpec(undefined, 'node.n1', { logSeverityScreen: 'Info' }).metadata, { name: 'node.n1' })
})
