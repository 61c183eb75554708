import t from 'tap'
import { readFileSync } from 'node:fs'
import { startApplyLab, protocolDetails, birdStatus } from './apply-lab.js'

t.test('scratch', async (t) => {
  const started = Date.now()
  const lab = await startApplyLab(t, 69)
  t.comment(`lab up in ${Date.now() - started} ms`)
  console.log(readFileSync(lab.paths.birdConfig, 'utf8'))
  console.log(readFileSync(lab.paths.bird6Config, 'utf8'))
  console.log(JSON.stringify(await protocolDetails(lab.controlA, lab.sessionOnA), null, 1))
  console.log(JSON.stringify(await birdStatus(lab.controlA)))
  t.pass()
})
