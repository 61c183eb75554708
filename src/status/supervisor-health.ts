import type { BirdDaemonName } from '../bird/supervisor/daemons.js'
import type { BirdSupervisor } from '../bird/supervisor/supervisor.js'
import type { Health } from './http.js'

/**
 * Counts BIRD restarts into the metrics from the supervisor's events. Returns the
 * function that detaches it.
 */
export function reportBirdRestarts(
  supervisor: Pick<BirdSupervisor, 'on' | 'off' | 'state'>,
  health: Pick<Health, 'recordBirdRestart'>,
): () => void {
  const seen = new Map<BirdDaemonName, number>()
  const onStarted = (name: BirdDaemonName) => {
    const restarts = supervisor.state(name)?.restarts ?? 0
    for (let n = seen.get(name) ?? 0; n < restarts; n++) health.recordBirdRestart(name)
    seen.set(name, Math.max(restarts, seen.get(name) ?? 0))
  }
  supervisor.on('started', onStarted)
  return () => supervisor.off('started', onStarted)
}
