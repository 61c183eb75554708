import t from 'tap'
import { open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pollUntil } from '../../helpers/netns.js'
import { mountSmallTmpfs, removeStaleTmpfs } from '../../helpers/tmpfs.js'
import { ApplyError } from '../../../src/bgp/reconciler.js'
import { protocolDetails, resource, sameSince, sessionAgedAtLeast, startApplyLab } from './apply-lab.js'

/**
 * Fault scenario "a full disk where bird.cfg lives": the config directory is a small
 * tmpfs (a private mount this test makes and removes). With the disk full, a change cannot
 * be staged: the apply fails and is retried with backoff, bird.cfg stays the old file
 * (no temp file left behind), BIRD keeps its config, sessions and routes. Once space is
 * freed, the apply goes through on its own — nothing else changes in etcd meanwhile.
 */
const NET = 64
const TMPFS_BYTES = 128 * 1024

/** Writes until the filesystem refuses with ENOSPC; resolves with the bytes written. */
async function fill(path: string): Promise<number> {
  const fh = await open(path, 'w')
  const chunk = Buffer.alloc(4096, 0x61)
  let written = 0
  try {
    for (;;) {
      try {
        const { bytesWritten } = await fh.write(chunk)
        written += bytesWritten
        if (bytesWritten < chunk.length) continue
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return written
        throw err
      }
      if (written > TMPFS_BYTES * 4) throw new Error(`wrote ${written} bytes to a ${TMPFS_BYTES}-byte tmpfs without ENOSPC`)
    }
  } finally {
    await fh.close()
  }
}

t.test('full disk under bird.cfg: the apply fails safely and succeeds by itself once space frees', async (t) => {
  await removeStaleTmpfs()
  const lab = await startApplyLab(t, NET, {
    prepare: (paths) => mountSmallTmpfs(t, dirname(paths.birdConfig), TMPFS_BYTES),
    retry: { initialMs: 200, maxMs: 2_000 },
  })
  const { paths } = lab
  const configDir = dirname(paths.birdConfig)
  const baseline = await sessionAgedAtLeast(lab.controlA, lab.sessionOnA, 3)
  const before = { text: await readFile(paths.birdConfig, 'utf8'), ino: (await stat(paths.birdConfig)).ino }
  const filesBefore = (await readdir(configDir)).sort()

  // B must keep A's block route the whole time: sample it while the disk is full.
  const blockOfA = `192.168.${NET}.0/26`
  let samples = 0
  let missing = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const reply = await lab.controlB.request(`show route ${blockOfA}`)
      samples++
      if (!reply.lines.some((l) => l.text.includes(blockOfA))) missing++
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  t.teardown(async () => {
    sampling = false
    await sampler
  })

  const filler = join(configDir, 'filler')
  const filled = await fill(filler)
  t.ok(filled > 0, `filled the tmpfs (${filled} bytes)`)

  const errorsBefore = lab.results.errors.length
  const resultsBefore = lab.results.results.length
  const peer = resource('BGPPeer', 'global-50', { peerIP: `10.99.${NET}.50`, asNumber: 65001 })
  const protocol = `Global_10_99_${NET}_50`
  await lab.put(peer)

  await pollUntil('three failed attempts', () => lab.results.errors.length - errorsBefore >= 3, { timeoutMs: 60_000, intervalMs: 20 })
  const errors = lab.results.errors.slice(errorsBefore)
  t.ok(errors.every((e) => e instanceof ApplyError && e.failed.length === 1 && e.failed[0] === 4), 'every failure is recorded for IPv4 only')
  t.match(String((errors[0] as Error).message), /ENOSPC/, 'the error names the cause')
  t.match(lab.reconciler.pendingFailure(), { families: [4], message: /ENOSPC/ }, 'a failure is pending for its retry')
  t.equal(lab.results.results.length, resultsBefore, 'nothing applied meanwhile')

  t.equal(await readFile(paths.birdConfig, 'utf8'), before.text, 'bird.cfg still holds the old config')
  t.equal((await stat(paths.birdConfig)).ino, before.ino, 'bird.cfg is the same file')
  t.same((await readdir(configDir)).filter((f) => f !== 'filler').sort(), filesBefore, 'no temp file left behind')
  const proto = await lab.controlA.request(`show protocols ${protocol}`).then(
    () => 'present',
    (err: Error) => err.message,
  )
  t.not(proto, 'present', `BIRD does not know ${protocol}: it keeps its config`)
  const a = await protocolDetails(lab.controlA, lab.sessionOnA)
  t.equal(a.bgpDetails?.state, 'Established', 'A↔B session Established')
  t.ok(sameSince(a.since, baseline.since), 'A↔B session never restarted')

  // Space frees (the operator removes a log): no event in etcd, yet the apply lands.
  const retriesWhileFull = lab.results.errors.length - errorsBefore
  const freedAt = Date.now()
  await rm(filler)
  const result = await pollUntil('the apply to land after space freed', () => lab.results.results.slice(resultsBefore)[0], {
    timeoutMs: 60_000,
    intervalMs: 10,
  })
  const recoveredMs = Date.now() - freedAt
  t.match(result.v4, { result: 'applied', wrote: true, reload: 'reconfigured' })
  t.match(await readFile(paths.birdConfig, 'utf8'), `protocol bgp ${protocol} `)
  t.equal((await protocolDetails(lab.controlA, protocol)).name, protocol, `BIRD now runs ${protocol}`)
  t.equal(lab.reconciler.pendingFailure(), undefined, 'no failure pending')
  sampling = false
  await sampler
  t.ok(samples > 0, `sampled B's route ${samples} times`)
  t.equal(missing, 0, "B never lost A's route")
  const after = await protocolDetails(lab.controlA, lab.sessionOnA)
  t.ok(sameSince(after.since, baseline.since), 'A↔B session never restarted')
  t.comment(`full disk: ${retriesWhileFull} failed attempts while full; applied ${recoveredMs} ms after space was freed; routes lost: ${missing}`)
})
