import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

/** Readers of /proc, for CPU and memory figures of processes we started. */

let clockTicks: number | undefined

/** USER_HZ: the unit of utime/stime in /proc/PID/stat. */
export function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  return clockTicks
}

/** utime and stime of a process, in seconds. */
export function cpuTimes(pid: number | 'self'): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return { user: Number(fields[11]) / ticksPerSecond(), system: Number(fields[12]) / ticksPerSecond() }
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number | 'self'): number {
  const { user, system } = cpuTimes(pid)
  return user + system
}

/** A `VmXXX:  1234 kB` line of /proc/PID/status, in bytes. */
export function statusBytes(pid: number | 'self', field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(status)
  if (m === null) throw new Error(`no ${field} in /proc/${pid}/status`)
  return Number(m[1]) * 1024
}

/**
 * Resets this process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0, `clear_refs` 5),
 * so a later VmHWM is the peak of what happened in between. False when not permitted.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A signal by PID that tolerates the process having gone already. */
export function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}
