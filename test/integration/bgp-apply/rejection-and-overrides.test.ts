import t, { type Test } from 'tap'
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PACKAGED_TEMPLATE_DIR } from '../../../src/bgp/render/index.js'
import { pollUntil } from '../../helpers/netns.js'
import {
  birdStatus,
  keyOf,
  NODE_A,
  protocolDetails,
  resource,
  sameBirdTime,
  sameSince,
  sessionAgedAtLeast,
  settledAfterReconfiguration,
  startApplyLab,
  type ApplyLab,
  type LogRecord,
} from './apply-lab.js'

/**
 * Issue "BIRD configuration", part 3 (Apply), must-show 3 and 5: what BIRD rejects never
 * replaces the running config, and operator template overrides are picked up live — or,
 * when broken, reported while the templates in use stay.
 */
const NET = 62
const MARKER = '# falconer-test-override-marker'

async function identity(path: string): Promise<{ ino: number; mtimeMs: number; text: string }> {
  const st = await stat(path)
  return { ino: st.ino, mtimeMs: st.mtimeMs, text: await readFile(path, 'utf8') }
}

/** Waits for a log record (at or after index `from`) matching `pred`. */
function logged(lab: ApplyLab, from: number, what: string, pred: (r: LogRecord) => boolean): Promise<LogRecord> {
  return pollUntil(`log: ${what}`, () => lab.logs.slice(from).find(pred), { timeoutMs: 30_000, intervalMs: 20 })
}

t.test('apply pipeline against real BIRD: rejected configs and template overrides', async (t) => {
  const lab = await startApplyLab(t, NET)
  const { paths } = lab
  const overrides = paths.templateOverrideDir
  const baseline = await sessionAgedAtLeast(lab.controlA, lab.sessionOnA, 3)
  let peerNo = 50
  const addPeer = () => {
    const host = peerNo++
    return lab.change(() => lab.put(resource('BGPPeer', `global-${host}`, { peerIP: `10.99.${NET}.${host}`, asNumber: 65001 })))
  }
  const sessionStillUp = async (t: Test) => {
    const a = await protocolDetails(lab.controlA, lab.sessionOnA)
    t.equal(a.bgpDetails?.state, 'Established', 'A↔B session Established')
    t.ok(sameSince(a.since, baseline.since), `A↔B session never restarted (since ${baseline.since.raw} → ${a.since.raw})`)
  }

  await t.test('3. a config BIRD rejects leaves the running config and BIRD untouched', async (t) => {
    const status = await settledAfterReconfiguration(lab.controlA)
    const before = await identity(paths.birdConfig)
    const reloads = { ...lab.reloads }
    const logFrom = lab.logs.length
    const from = lab.results.results.length

    // Valid Handlebars, so TemplateSource takes it; the text it renders is not BIRD syntax.
    const packaged = await readFile(join(PACKAGED_TEMPLATE_DIR, 'bird.cfg.hbs'), 'utf8')
    await writeFile(join(overrides, 'bird.cfg.hbs'), `${packaged}\nprotocol bgp Broken_{{routerId}} { neighbour nowhere; }\n`)
    const result = await lab.results.after(from)
    t.equal(result.v4.result, 'rejected', 'bird.cfg rejected')
    t.equal(result.v6.result, 'unchanged', 'bird6.cfg (not overridden) unchanged')
    if (result.v4.result !== 'rejected') return

    // Where BIRD says the error is: the line of the broken statement in the rendered text.
    const snapshot = lab.syncer.current()
    t.ok(snapshot, 'the syncer has a snapshot')
    const rendered = lab.runtime.render({ snapshot: snapshot!, nodeName: NODE_A }).v4.text
    const badLine = rendered.split('\n').findIndex((l) => l.startsWith('protocol bgp Broken_')) + 1
    const { error } = result.v4
    t.equal(error.stage, 'check', 'caught by bird -p, before BIRD saw it')
    t.match(error.location, { file: paths.birdConfig, line: badLine, column: Number }, "BIRD's file:line:col, naming the real path")
    t.match(error.message, new RegExp(`^BIRD rejected the config at ${paths.birdConfig}:${badLine}:\\d+: `))
    const record = await logged(lab, logFrom, 'the rejection', (r) => r.msg?.includes('rejected by BIRD') === true)
    t.match(record, { file: paths.birdConfig, err: new RegExp(`${paths.birdConfig}:${badLine}:\\d+`) }, 'logged with file:line:col')
    t.comment(`BIRD said: ${error.message}`)

    const after = await identity(paths.birdConfig)
    t.same(after, before, 'bird.cfg byte-identical, same inode and mtime')
    t.same(await readdir(dirname(paths.birdConfig)), ['bird.cfg', 'bird6.cfg'], 'no temp file left behind')
    t.same(lab.reloads, reloads, 'no configure sent')
    const statusAfter = await birdStatus(lab.controlA)
    t.ok(sameBirdTime(statusAfter.lastReconfiguration, status.lastReconfiguration), 'BIRD still runs the previous config (no reconfiguration)')
    t.equal(statusAfter.state, 'running')
    await sessionStillUp(t)

    // A datastore change meanwhile is rejected too: the last good config stays in place.
    const during = await addPeer()
    t.equal(during.result.v4.result, 'rejected', 'a change while the override is in place: rejected again')
    t.same(await identity(paths.birdConfig), before, 'bird.cfg still the last good one')

    // Removing the override brings the packaged template back, and the pending change with it.
    const fromRemoval = lab.results.results.length
    await rm(join(overrides, 'bird.cfg.hbs'))
    const healed = await pollUntil('an applied bird.cfg after the override is gone', () =>
      lab.results.results.slice(fromRemoval).find((r) => r.v4.result === 'applied'),
    )
    t.match(healed.v4, { result: 'applied', wrote: true, reload: 'reconfigured' })
    t.match(await readFile(paths.birdConfig, 'utf8'), `protocol bgp Global_10_99_${NET}_${peerNo - 1} `, 'the change made meanwhile is applied')
    await sessionStillUp(t)
  })

  await t.test('3b. a valid datastore value that an override turns into something BIRD rejects never reaches the running config', async (t) => {
    // Validation cannot know what an operator's template does with a value: this override
    // writes a peer's password unquoted, which BIRD's parser refuses. Only peers with a
    // password are affected (the A-B mesh session has none), so the rejection comes from
    // `bird -p`, for exactly the change that adds such a peer.
    const packagedPeer = await readFile(join(PACKAGED_TEMPLATE_DIR, 'partials', 'peer.hbs'), 'utf8')
    t.match(packagedPeer, 'password "{{password}}";', 'the packaged partial quotes the password')
    const secretDir = join(paths.secretsDir, 'tor')
    await mkdir(secretDir, { recursive: true, mode: 0o700 })
    await writeFile(join(secretDir, 'password'), 'Pa55-word\n', { mode: 0o600 })
    await chmod(join(secretDir, 'password'), 0o600)
    const override = join(overrides, 'partials', 'peer.hbs')
    const fromOverride = lab.results.results.length
    await writeFile(override, packagedPeer.replace('password "{{password}}";', 'password {{password}};'))
    const picked = await lab.results.after(fromOverride)
    t.same([picked.v4.result, picked.v6.result], ['unchanged', 'unchanged'], 'the override alone changes nothing (no peer has a password yet)')

    await settledAfterReconfiguration(lab.controlA)
    const status = await birdStatus(lab.controlA)
    const before = await identity(paths.birdConfig)
    const reloads = { ...lab.reloads }
    const peer = resource('BGPPeer', 'with-password', {
      peerIP: `10.99.${NET}.90`,
      asNumber: 65001,
      password: { secretKeyRef: { name: 'tor', key: 'password' } },
    })
    const { result } = await lab.change(() => lab.put(peer))
    t.equal(result.v4.result, 'rejected', 'rejected by BIRD')
    t.same(result.problems.filter((p) => p.key === keyOf(peer)), [], 'validation found nothing wrong with the resource')
    if (result.v4.result === 'rejected') {
      const snapshot = lab.syncer.current()!
      const secrets = new Map([['tor/password', 'Pa55-word']])
      const rendered = lab.runtime.render({ snapshot, nodeName: NODE_A, secrets }).v4.text
      const badLine = rendered.split('\n').findIndex((l) => l.trim() === 'password Pa55-word;') + 1
      t.ok(badLine > 0, 'the rendered text has the unquoted password')
      t.equal(result.v4.error.stage, 'check', 'caught by bird -p')
      t.match(result.v4.error.location, { file: paths.birdConfig, line: badLine, column: Number }, "BIRD's file:line names the password line")
      t.comment(`BIRD said: ${result.v4.error.message}`)
    }
    t.same(await identity(paths.birdConfig), before, 'bird.cfg byte-identical')
    t.same(lab.reloads, reloads, 'no configure sent')
    t.ok(sameBirdTime((await birdStatus(lab.controlA)).lastReconfiguration, status.lastReconfiguration), 'BIRD runs the previous config (no reconfiguration)')
    await sessionStillUp(t)

    const { result: cleared } = await lab.change(() => lab.remove(keyOf(peer)))
    t.equal(cleared.v4.result, 'unchanged', 'removing the peer: the last good config is already in place')
    const fromRemoval = lab.results.results.length
    await rm(override)
    const restored = await lab.results.after(fromRemoval)
    t.same([restored.v4.result, restored.v6.result], ['unchanged', 'unchanged'], 'removing the override: nothing to apply')
    await rm(secretDir, { recursive: true, force: true })
  })

  await t.test('5. template overrides: picked up live; a broken one changes nothing', async (t) => {
    const header = await readFile(join(PACKAGED_TEMPLATE_DIR, 'partials', 'header.hbs'), 'utf8')
    const override = join(overrides, 'partials', 'header.hbs')
    const brokenHandlebars = `${header}\n{{#if bgp}}unclosed block\n`

    await t.test('a broken override with the packaged templates in use: reported, config unchanged', async (t) => {
      const before = { v4: await identity(paths.birdConfig), v6: await identity(paths.bird6Config) }
      const logFrom = lab.logs.length
      await writeFile(override, brokenHandlebars)
      const record = await logged(lab, logFrom, 'the broken override', (r) => r.msg?.startsWith('template override rejected') === true)
      t.match(record, { level: 50, err: new RegExp(`template ${override}: `) }, 'reported as an error naming the file')
      // A datastore write after it proves the pipeline still serves, with the packaged templates.
      const fence = await addPeer()
      t.equal(fence.result.v4.result, 'applied', 'the agent keeps applying datastore changes')
      t.notMatch(await readFile(paths.birdConfig, 'utf8'), 'unclosed block')
      t.same(await identity(paths.bird6Config), before.v6, 'bird6.cfg untouched')
      const removed = lab.results.results.length
      await rm(override)
      // The unlink reloads the (packaged) templates; the same text → nothing to do.
      const r = await lab.results.after(removed)
      t.same([r.v4.result, r.v6.result], ['unchanged', 'unchanged'], 'removing it: same templates, nothing applied')
      await sessionStillUp(t)
    })

    await t.test('a valid override is picked up and rendered', async (t) => {
      const from = lab.results.results.length
      await writeFile(override, `${MARKER}\n${header}`)
      const r = await lab.results.after(from)
      t.match(r.v4, { result: 'applied', wrote: true, reload: 'reconfigured' }, 'bird.cfg re-rendered and reconfigured')
      t.match(r.v6, { result: 'applied', wrote: true, reload: 'reconfigured' }, 'bird6.cfg re-rendered and reconfigured')
      t.ok((await readFile(paths.birdConfig, 'utf8')).startsWith(`${MARKER}\n`), "bird.cfg carries the override's marker")
      t.ok((await readFile(paths.bird6Config, 'utf8')).startsWith(`${MARKER}\n`), "bird6.cfg carries the override's marker")
      await sessionStillUp(t)
    })

    await t.test('breaking the override in use: reported, the templates in use stay', async (t) => {
      const before = await identity(paths.birdConfig)
      const logFrom = lab.logs.length
      const from = lab.results.results.length
      await writeFile(override, brokenHandlebars)
      await logged(lab, logFrom, 'the broken override', (r) => r.msg?.startsWith('template override rejected') === true)
      t.equal(lab.results.results.length, from, 'no re-render for a broken override')
      t.same(await identity(paths.birdConfig), before, 'bird.cfg untouched')
      const fence = await addPeer()
      t.equal(fence.result.v4.result, 'applied', 'a datastore change is still applied')
      const text = await readFile(paths.birdConfig, 'utf8')
      t.ok(text.startsWith(`${MARKER}\n`), 'with the last good override (marker still there)')
      t.match(text, `protocol bgp Global_10_99_${NET}_${peerNo - 1} `)
      await sessionStillUp(t)
    })

    await t.test('removing the override restores the packaged templates', async (t) => {
      const from = lab.results.results.length
      await rm(override)
      const r = await lab.results.after(from)
      t.match(r.v4, { result: 'applied', reload: 'reconfigured' })
      t.notMatch(await readFile(paths.birdConfig, 'utf8'), MARKER, 'marker gone')
      t.notMatch(await readFile(paths.bird6Config, 'utf8'), MARKER, 'marker gone from bird6.cfg')
      await sessionStillUp(t)
    })
  })
})
