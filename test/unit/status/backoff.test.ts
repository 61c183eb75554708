import t from 'tap'
import { DEFAULT_BACKOFF, nextBackoff } from '../../../src/bird/supervisor/backoff.js'

t.test('doubles from 0.5 s up to the 30 s cap while the daemon keeps crashing', async (t) => {
  let streak = 0
  const delays: number[] = []
  for (let i = 0; i < 9; i++) {
    const step = nextBackoff(DEFAULT_BACKOFF, streak, 1_000)
    delays.push(step.delayMs)
    streak = step.streak
  }
  t.same(delays, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000])
})

t.test('a stable run resets the delay', async (t) => {
  t.same(nextBackoff(DEFAULT_BACKOFF, 6, DEFAULT_BACKOFF.stableMs), { delayMs: 500, streak: 1 })
  t.same(nextBackoff(DEFAULT_BACKOFF, 6, DEFAULT_BACKOFF.stableMs - 1), { delayMs: 30_000, streak: 7 })
})

t.test('a very long streak stays finite and capped', async (t) => {
  t.same(nextBackoff({ initialMs: 100, maxMs: 5_000, stableMs: 10 }, 10_000, 0), { delayMs: 5_000, streak: 10_001 })
})
