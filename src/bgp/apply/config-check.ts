import { execa } from 'execa'
import { BirdCommandError, type BirdControl } from '../../bird/control/index.js'
import { ConfigRejectedError, parseBirdLocation } from './bird-error.js'

export type Family = 4 | 6

/** How a config was checked: by the running BIRD, or by spawning `bird -p`. */
export type CheckRoute = 'socket' | 'spawn'

/** BIRD's reply code for `configure check` of a file it could parse ("Configuration OK"). */
const CONFIG_OK = 20

/**
 * Checks a config with the BIRD that will run it, when one is up: `configure check "FILE"`
 * on its control socket makes the daemon parse FILE without applying it (0020 OK, 8002
 * FILE:L:C message), which costs no fork and exec of BIRD from the agent's process. Only an
 * 8002 answer is a rejection and only 0020 an acceptance; whenever the running BIRD gives
 * neither (no socket yet, BIRD stopped, busy past the timeout, an unexpected answer) the
 * file is checked by spawning `bird -p` instead, so a config is never applied unchecked.
 */
export async function checkConfigThroughBird(
  bird: BirdControl,
  file: string,
  family: Family,
  displayName = file,
  spawnCheck: (file: string, family: Family, displayName: string) => Promise<void> = checkConfig,
): Promise<CheckRoute> {
  try {
    const reply = await bird.request(`configure check "${file}"`, { timeoutMs: 30_000 })
    if (reply.code === CONFIG_OK) return 'socket'
  } catch (err) {
    if (err instanceof BirdCommandError) {
      const text = err.message.split(file).join(displayName)
      throw new ConfigRejectedError('check', `${err.code} ${text}`, parseBirdLocation(text))
    }
  }
  await spawnCheck(file, family, displayName)
  return 'spawn'
}

/**
 * `bird -p -c FILE`: parse only, opens no socket and touches no routing table, so it is
 * safe anywhere. Silent with exit 0 when valid; `bird: FILE:L:C msg` and exit 1 when not.
 * `displayName` replaces the temp file's name in the report so operators see the real path.
 */
export async function checkConfig(file: string, family: Family, displayName = file): Promise<void> {
  await checkWithBinary(family === 4 ? 'bird' : 'bird6', file, displayName)
}

/** The same check with a named BIRD executable (a BIRD 2 `bird`, or 1.6 ones not on PATH). */
export async function checkWithBinary(binary: string, file: string, displayName = file): Promise<void> {
  const r = await execa(binary, ['-p', '-c', file], { reject: false, timeout: 30_000, stdin: 'ignore' })
  if (r.exitCode === 0 && !r.timedOut) return
  const text = `${r.stderr}\n${r.stdout}`.split(file).join(displayName).trim()
  if (r.failed && r.exitCode === undefined) {
    throw new ConfigRejectedError('check', `${binary} -p could not run: ${r.shortMessage}`)
  }
  throw new ConfigRejectedError('check', text || `${binary} -p exited ${r.exitCode}`, parseBirdLocation(text))
}
