import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { ConfigRejectedError } from '../../bgp/apply/bird-error.js'
import type { ReloadResult } from '../../bgp/apply/config-applier.js'
import type { Logger } from '../../log.js'
import type { GobgpCli } from './gobgp-cli.js'

/**
 * `gobgpd -d -f FILE`: gobgpd reads and decodes the file and exits (0 when it could). It
 * checks syntax and types, not references between sections (an undefined set name
 * passes); the renderer only emits sets it defines, so that is enough here.
 */
export async function checkWithGobgpd(gobgpd: string, file: string, displayName = file): Promise<void> {
  const r = await execa(gobgpd, ['-d', '-t', 'toml', '-f', file], { reject: false, timeout: 30_000, stdin: 'ignore' })
  if (r.exitCode === 0 && !r.timedOut) return
  if (r.failed && r.exitCode === undefined) throw new ConfigRejectedError('check', `${gobgpd} -d could not run: ${r.shortMessage}`, undefined, 'gobgpd')
  const text = `${r.stdout}\n${r.stderr}`.split(file).join(displayName)
  throw new ConfigRejectedError('check', gobgpdError(text) ?? (text.trim() || `${gobgpd} -d exited ${r.exitCode}`), undefined, 'gobgpd')
}

/** gobgpd logs JSON lines; the failing one carries `msg` and `Error`. */
function gobgpdError(text: string): string | undefined {
  for (const line of text.split('\n')) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; Error?: string }
      if (entry.level === 'fatal' || entry.level === 'error') return [entry.msg, entry.Error].filter(Boolean).join(': ')
    } catch {
      // not a JSON line
    }
  }
  return undefined
}

/** `[global…]` tables: gobgpd reads them at start only (SIGHUP ignores a change there). */
export function globalSection(text: string): string {
  const out: string[] = []
  let inGlobal = false
  for (const line of text.split('\n')) {
    const header = /^\s*\[\[?([^\]]+)\]\]?\s*$/.exec(line)
    if (header) inGlobal = header[1]!.trim().startsWith('global.')
    if (inGlobal) out.push(line)
  }
  return out.join('\n')
}

export interface GobgpReloaderOptions {
  readonly pidFile: string
  readonly config: string
  readonly cli: GobgpCli
  readonly log: Logger
  /** How long a gobgpd that was just started may take to answer its API (default 30 s). */
  readonly readyTimeoutMs?: number
}

/**
 * Makes the running gobgpd read the (checked) file: SIGHUP, which changes only the
 * neighbors and policies that differ. gobgpd ignores a changed `[global]` on SIGHUP, so
 * then it is stopped instead and the supervisor starts it on the new file.
 *
 * A gobgpd that has just been spawned may not have its signal handler yet (SIGHUP would
 * kill it) nor have read the file, so the signal waits until the API answers.
 */
export class GobgpReloader {
  /** `[global]` of the file the running gobgpd started from. */
  private startedGlobal: string | undefined

  constructor(private readonly opts: GobgpReloaderOptions) {}

  /** The supervisor (re)started gobgpd: it read the file as it is now. */
  async daemonStarted(): Promise<void> {
    this.startedGlobal = globalSection(await readFile(this.opts.config, 'utf8').catch(() => ''))
  }

  async reload(file: string): Promise<ReloadResult> {
    const { log, cli } = this.opts
    const pid = await runningPid(this.opts.pidFile)
    if (pid === undefined) return 'not-running'
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 30_000)
    while (!(await cli.answers())) {
      if ((await runningPid(this.opts.pidFile)) === undefined) return 'not-running'
      if (Date.now() > deadline) throw new Error(`gobgpd (pid ${pid}) does not answer on ${cli.socket}; the config is reloaded on the next try`)
      await sleep(200)
    }
    const wanted = globalSection(await readFile(file, 'utf8'))
    if (this.startedGlobal !== undefined && wanted !== this.startedGlobal) {
      log.warn({ pid }, 'gobgpd global settings (AS, router id, listen) changed: restarting gobgpd, which resets every session')
      process.kill(pid, 'SIGTERM')
      return 'in-progress'
    }
    process.kill(pid, 'SIGHUP')
    return 'reconfigured'
  }
}

async function runningPid(pidFile: string): Promise<number | undefined> {
  let pid: number
  try {
    pid = Number.parseInt((await readFile(pidFile, 'utf8')).trim(), 10)
  } catch {
    return undefined
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  // A pid file left by an earlier run may name a pid reused by another program: never signal that.
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')
  return comm.trim() === 'gobgpd' ? pid : undefined
}
