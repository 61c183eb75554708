import type { BirdDaemonStatus, CalicoNodeStatusStatus } from '../../api/types.js'
import type { BirdStatus } from '../../bird/replies/status.js'

export type AgentStatus = NonNullable<CalicoNodeStatusStatus['agent']>

/**
 * `status.agent.birdV4|birdV6` from `show status` (undefined: the daemon did not answer).
 * Times are BIRD's own strings, as Calico reports them: `YYYY-MM-DD HH:MM:SS` in the BIRD
 * process's local time zone (UTC when the agent runs with TZ=UTC, as the unit file sets).
 */
export function birdDaemonStatus(status: BirdStatus | undefined): BirdDaemonStatus {
  if (status === undefined) return { state: 'NotReady' }
  return {
    state: status.state === 'shutting-down' ? 'NotReady' : 'Ready',
    version: status.version,
    routerID: status.routerId,
    lastBootTime: status.lastReboot.raw,
    lastReconfigurationTime: status.lastReconfiguration.raw,
  }
}

export function populateAgent(v4: BirdStatus | undefined, v6: BirdStatus | undefined): AgentStatus {
  return { birdV4: birdDaemonStatus(v4), birdV6: birdDaemonStatus(v6) }
}
