import t from 'tap'
import { CoalesceWindow } from '../../../src/bgp/coalesce-window.js'

// The clock is handed in: these are statements about the policy, not timings.

t.test('a lone event is rendered at once', async (t) => {
  const w = new CoalesceWindow(10, 50)
  t.equal(w.event(1_000), 0, 'the first event ever')
  t.equal(w.event(2_000), 0, 'an event after a quiet spell')
})

t.test('the wait grows only while events keep coming, up to the maximum', async (t) => {
  const w = new CoalesceWindow(10, 50)
  const waits = [0, 1, 2, 3, 4, 5, 6].map((i) => w.event(100 + i))
  t.same(waits, [0, 1, 2, 4, 8, 10, 10], 'doubling from 1 ms, capped at 10 ms')
  t.equal(w.event(106 + 49), 10, 'still a burst just inside the quiet period')
  t.equal(w.event(155 + 50), 0, 'a quiet spell resets it')
  t.equal(w.event(206), 1, 'and a new burst starts small')
})

t.test('a maximum of 0 never waits', async (t) => {
  const w = new CoalesceWindow(0)
  t.same([w.event(0), w.event(1), w.event(2)], [0, 0, 0])
})
