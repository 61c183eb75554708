import t from 'tap'
import { startLab } from '../helpers/lab.js'
const lab = await startLab(t, { name: 'zf', nodes: 2 })
t.test('hangs until the runner gives up', async () => {
  await lab.waitFor('something that never happens', () => false, 600_000)
})
