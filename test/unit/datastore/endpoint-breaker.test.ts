import t from 'tap'
import { EtcdPermissionDeniedError, GRPCUnavailableError } from 'etcd3'
import { EndpointBreaker, EndpointCoolingDownError } from '../../../src/datastore/endpoint-breaker.js'

/** A breaker on a clock the test moves. */
function breaker(): { b: EndpointBreaker; advance: (ms: number) => void } {
  let now = 1_000_000
  return { b: new EndpointBreaker({ threshold: 3, coolDownMs: 5_000 }, () => now), advance: (ms) => (now += ms) }
}
const unavailable = () => Promise.reject(new GRPCUnavailableError('14 UNAVAILABLE: No connection established'))
const ok = () => Promise.resolve('ok')

/** The error a call failed with (tap's class matching does not see etcd3's error classes). */
function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  )
}

async function openIt(b: EndpointBreaker): Promise<void> {
  for (let i = 0; i < 3; i++) await failure(b.execute(unavailable))
}

t.test('opens after three transport failures in a row and refuses without calling', async (t) => {
  const { b } = breaker()
  for (let i = 0; i < 3; i++) t.type(await failure(b.execute(unavailable)), GRPCUnavailableError, `failure ${i + 1} is the call's own`)
  let called = false
  const refused = await failure(b.execute(() => (called = true)))
  t.type(refused, EndpointCoolingDownError)
  t.equal((refused as EndpointCoolingDownError).isBrokenCircuitError, true, 'etcd3 moves on to the next endpoint')
  t.equal(called, false)
  t.equal(b.refusingForMs, 5_000)
})

t.test('an answer from etcd, even an error, proves the endpoint works and resets the count', async (t) => {
  const { b } = breaker()
  await failure(b.execute(unavailable))
  await failure(b.execute(unavailable))
  t.type(await failure(b.execute(() => Promise.reject(new EtcdPermissionDeniedError('etcdserver: permission denied')))), EtcdPermissionDeniedError)
  await failure(b.execute(unavailable))
  await failure(b.execute(unavailable))
  t.equal(await b.execute(ok), 'ok', 'two failures since the answer: still closed')
})

t.test('after the cool-down every call may try; one failure reopens, one success closes', async (t) => {
  const { b, advance } = breaker()
  await openIt(b)
  advance(5_000)
  t.equal(b.refusingForMs, 0)
  t.type(await failure(b.execute(unavailable)), GRPCUnavailableError, 'let through')
  t.type(await failure(b.execute(ok)), EndpointCoolingDownError, 'one more failure opened it again')
  advance(5_000)
  t.same(await Promise.all([b.execute(ok), b.execute(ok)]), ['ok', 'ok'], 'concurrent calls are not made to wait')
  await failure(b.execute(unavailable))
  t.equal(await b.execute(ok), 'ok', 'closed again: one failure does not open it')
})

// etcd3 re-runs a call whose auth token etcd forgot (every etcd restart) from inside the
// policy's execute. cockatiel's breaker made that inner call wait for the outer one, for
// ever; here it must go through and both settle.
t.test('a call made from inside a call after the cool-down goes through', async (t) => {
  const { b, advance } = breaker()
  await openIt(b)
  advance(6_000)
  t.equal(await b.execute(() => b.execute(() => Promise.resolve('inner'))), 'inner')
  t.equal(b.refusingForMs, 0)
})

t.test("a refusal inside a call is not counted as the endpoint's failure or success", async (t) => {
  const { b, advance } = breaker()
  await openIt(b)
  advance(6_000)
  t.type(await failure(b.execute(() => Promise.reject(new EndpointCoolingDownError(1)))), EndpointCoolingDownError)
  await failure(b.execute(unavailable))
  t.equal(b.refusingForMs, 5_000, 'the refusal did not close it: the next failure reopened it at once')
})

t.test('neverOpen, for a single endpoint, lets every call through', async (t) => {
  const b = EndpointBreaker.neverOpen()
  for (let i = 0; i < 20; i++) await failure(b.execute(unavailable))
  t.equal(await b.execute(ok), 'ok')
})
