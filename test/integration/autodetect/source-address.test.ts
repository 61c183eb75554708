/**
 * The kernel's source-address choice, asked over a connected UDP socket. Only loopback
 * here (the host's own routes are none of a test's business); routes inside namespaces
 * are exercised through the CLI in autodetect.test.ts.
 */
import t from 'tap'
import { kernelSourceAddress } from '../../../src/node/autodetect/index.js'

t.test('loopback destinations come from loopback', async (t) => {
  t.equal(await kernelSourceAddress('127.0.0.1', 4), '127.0.0.1')
  t.equal(await kernelSourceAddress('127.0.0.53', 4), '127.0.0.1')
  t.equal(await kernelSourceAddress('::1', 6), '::1')
})
