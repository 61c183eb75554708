import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { drainNode, drainStatusLine, DrainError, markerToWrite, undrainNode } from '../../../src/node/drain/drain.js'
import {
  drainAppliedPath, drainMarkerPath, parseDrainMarker, readDrainApplied, readDrainMarker, writeDrainMarker, type DrainMarker,
} from '../../../src/node/drain/marker.js'
import { startAgentDrain } from '../../../src/node/drain/agent-drain.js'
import { pino } from 'pino'

// The drain marker and the applied file: how `node drain` and the agent talk. Pure parsing
// and decisions first, then the files themselves in a temp directory.

const maintenance: DrainMarker = { id: 'a1', since: '2026-12-04T00:00:00.000Z', scope: 'maintenance' }
const forStop: DrainMarker = { id: 'b2', since: '2026-12-04T00:01:00.000Z', scope: 'stop' }

t.test('parsing a marker', async (t) => {
  t.same(parseDrainMarker(JSON.stringify(maintenance), 'f'), maintenance)
  t.same(parseDrainMarker('{"id":"x"}', 'f'), { id: 'x', since: '', scope: 'maintenance' }, 'scope defaults to maintenance')
  t.same(parseDrainMarker('', 'f'), { id: 'manual', since: '', scope: 'maintenance' }, 'an empty file (touch) is a maintenance drain')
  t.throws(() => parseDrainMarker('drained!', '/s/drained'), { name: 'DrainMarkerError', message: /\/s\/drained: not JSON/ })
  t.throws(() => parseDrainMarker('{"id":""}', 'f'), { message: /field "id"/ })
  t.throws(() => parseDrainMarker('{"id":"x","scope":"forever"}', 'f'), { message: /field "scope": must be "maintenance" or "stop"/ })
  t.throws(() => parseDrainMarker('[1]', 'f'), { message: /field "id"/ })
})

t.test('which marker a drain leaves', async (t) => {
  const now = new Date('2026-12-04T01:00:00Z')
  t.equal(markerToWrite(maintenance, 'maintenance', now), maintenance, 'draining again keeps the first drain (and its since)')
  t.equal(markerToWrite(maintenance, 'stop', now), maintenance, 'a stop keeps a maintenance drain: it outlasts the restart')
  t.equal(markerToWrite(forStop, 'stop', now), forStop)
  const upgraded = markerToWrite(forStop, 'maintenance', now)
  t.equal(upgraded.scope, 'maintenance', 'node drain turns a stop drain into a maintenance one')
  t.equal(upgraded.since, now.toISOString())
  const fresh = markerToWrite(undefined, 'stop', now)
  t.match(fresh, { scope: 'stop', since: now.toISOString(), id: /^[0-9a-f]{16}$/ })
  t.not(markerToWrite(undefined, 'stop', now).id, fresh.id, 'ids are unique')
})

t.test('the node status line', async (t) => {
  t.equal(drainStatusLine(undefined, undefined), undefined, 'not drained: no line')
  t.equal(drainStatusLine(undefined, { id: undefined, at: 'x' }), undefined)
  t.match(drainStatusLine(maintenance, { id: 'a1', at: 'x' }), /^Node is DRAINED for maintenance since 2026-12-04T00:00:00.000Z \(falconer node undrain reverts it\)/)
  t.match(drainStatusLine(maintenance, { id: undefined, at: 'x' }), /^Node drain for maintenance requested since .*not applied it/)
  t.match(drainStatusLine(maintenance, undefined), /not applied it/)
  t.match(drainStatusLine(forStop, { id: 'b2', at: 'x' }), /^Node is DRAINED for a stop since \S+: /)
  t.match(drainStatusLine(undefined, { id: 'a1', at: 'x' }), /being undrained/)
})

t.test('marker files', async (t) => {
  const dir = t.testdir({ state: {}, run: {} })
  const marker = drainMarkerPath(join(dir, 'state'))
  t.equal(await readDrainMarker(marker), undefined, 'no file: not drained')
  await writeDrainMarker(marker, maintenance)
  t.same(await readDrainMarker(marker), maintenance, 'read back')
  await writeFile(marker, '{broken')
  const problems: string[] = []
  t.match(await readDrainMarker(marker, (e) => problems.push(e.message)), { scope: 'maintenance' }, 'a damaged marker still means drained')
  t.match(problems, [/not JSON/])
  await writeFile(drainAppliedPath(join(dir, 'run')), 'garbage')
  t.equal(await readDrainApplied(drainAppliedPath(join(dir, 'run'))), undefined, 'an applied file this code did not write: nothing applied')
})

t.test('drain and undrain without a running agent', async (t) => {
  const dir = t.testdir({ state: {}, run: { 'falconer.pid': '999999999\n' } })
  const paths = { stateDir: join(dir, 'state'), runDir: join(dir, 'run'), agentPid: join(dir, 'run', 'falconer.pid') }
  const said: string[] = []
  await t.rejects(drainNode({ paths, scope: 'maintenance', settleMs: 0, applyTimeoutMs: 1000 }, (l) => said.push(l)), DrainError)
  await t.rejects(drainNode({ paths, scope: 'maintenance', settleMs: 0, applyTimeoutMs: 1000 }, (l) => said.push(l)), {
    message: new RegExp(`No falconer agent is running on this node \\(no live agent in ${paths.agentPid}\\)`),
  })
  t.equal(await readDrainMarker(drainMarkerPath(paths.stateDir)), undefined, 'a refused drain writes no marker')
  await writeDrainMarker(drainMarkerPath(paths.stateDir), maintenance)
  await undrainNode({ paths, applyTimeoutMs: 1000 }, (l) => said.push(l))
  t.equal(await readDrainMarker(drainMarkerPath(paths.stateDir)), undefined, 'undrain removes the marker')
  t.match(said.at(-1), /no agent is running, so the node starts undrained/)
})

t.test("the agent's side: start, watch, record", async (t) => {
  const dir = t.testdir({ state: {}, run: {} })
  const stateDir = join(dir, 'state')
  const runDir = join(dir, 'run')
  const log = pino({ level: 'silent' })
  const marker = drainMarkerPath(stateDir)

  // A stop drain is gone when the agent starts; a maintenance drain stays.
  await writeDrainMarker(marker, forStop)
  let changes = 0
  const a = await startAgentDrain({ stateDir, runDir, log, onChange: () => changes++ })
  t.teardown(() => a.stop())
  t.equal(await readDrainMarker(marker), undefined, 'the stop drain was removed at start')
  t.equal(await a.readDrain(), undefined)

  await writeDrainMarker(marker, maintenance)
  const deadline = Date.now() + 30_000
  while (changes === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  t.ok(changes > 0, 'writing the marker makes the agent render again')
  t.equal(await a.readDrain(), 'a1', 'the reconciler reads the drain id')

  t.notOk(a.drainedNow(), 'nothing applied yet')
  await a.recordApplied('a1')
  t.ok(a.drainedNow(), 'a drained config in place')
  t.same(JSON.parse(await readFile(drainAppliedPath(runDir), 'utf8')).id, 'a1', 'the applied file names the marker')
  await a.recordApplied(undefined)
  t.notOk(a.drainedNow())
  t.equal((await readDrainApplied(drainAppliedPath(runDir)))?.id, undefined, 'applied undrained')
  await a.stop()

  const b = await startAgentDrain({ stateDir, runDir, log, onChange: () => undefined })
  t.teardown(() => b.stop())
  t.same(await readDrainMarker(marker), maintenance, 'a maintenance drain survives an agent restart')
  t.equal(await readDrainApplied(drainAppliedPath(runDir)), undefined, 'a new agent has applied nothing yet')
})
