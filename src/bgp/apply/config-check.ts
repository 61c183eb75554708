import { execa } from 'execa'
import { ConfigRejectedError, parseBirdLocation } from './bird-error.js'

export type Family = 4 | 6

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
