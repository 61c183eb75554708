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

/**
 * The defined sets and policies, without comments and blank lines. On SIGHUP gobgpd installs
 * changed policies but only soft-resets inbound: routes already in its RIB are not offered
 * again to peers under the new export policy until an outbound soft reset. Comments are left
 * out because the one naming the first session of a family sits between the last policy
 * line and its `[[neighbors]]` header: a new or moved peer would look like a policy change
 * that gobgpd never shows, and the reload would wait for it in vain.
 */
export function policySection(text: string): string {
  const out: string[] = []
  let inPolicy = false
  for (const line of text.split('\n')) {
    const header = /^\s*\[\[?([^\]]+)\]\]?\s*$/.exec(line)
    if (header) inPolicy = /^(defined-sets|policy-definitions)\b/.test(header[1]!.trim())
    if (inPolicy && !/^\s*(#|$)/.test(line)) out.push(line)
  }
  return out.join('\n')
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
  /** Policies of the file the running gobgpd last read. */
  private loadedPolicy: string | undefined

  constructor(private readonly opts: GobgpReloaderOptions) {}

  /** The supervisor (re)started gobgpd: it read the file as it is now. */
  async daemonStarted(): Promise<void> {
    const text = await readFile(this.opts.config, 'utf8').catch(() => '')
    this.startedGlobal = globalSection(text)
    this.loadedPolicy = policySection(text)
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
    const text = await readFile(file, 'utf8')
    const wanted = globalSection(text)
    if (this.startedGlobal !== undefined && wanted !== this.startedGlobal) {
      log.warn({ pid }, 'gobgpd global settings (AS, router id, listen) changed: restarting gobgpd, which resets every session')
      process.kill(pid, 'SIGTERM')
      return 'in-progress'
    }
    const policy = policySection(text)
    const policyChanged = policy !== this.loadedPolicy
    const before = policyChanged ? await this.policyDump() : ''
    process.kill(pid, 'SIGHUP')
    // Remembered only once the routes went out again: a failure here fails the apply, and
    // its retry signals again and resends.
    if (policyChanged) await this.resendUnderNewPolicy(before)
    this.loadedPolicy = policy
    return 'reconfigured'
  }

  /** What gobgpd reports of its policies, prefix sets and neighbor sets. */
  private async policyDump(): Promise<string> {
    const { cli } = this.opts
    return [await cli.run(['policy']), await cli.run(['policy', 'prefix']), await cli.run(['policy', 'neighbor'])].join('\n')
  }

  /**
   * Once gobgpd shows the new policies (the SIGHUP is handled asynchronously), offer every
   * route to every peer again: an outbound soft reset, which resets no session. Routes the
   * new policy accepts or marks differently (a new pool, communities) go out; see
   * docs/backends.md for what gobgpd does not withdraw this way.
   */
  private async resendUnderNewPolicy(before: string): Promise<void> {
    const deadline = Date.now() + 10_000
    let shown = false
    while (!(shown = (await this.policyDump()) !== before) && Date.now() < deadline) await sleep(100)
    if (!shown) this.opts.log.warn('gobgpd did not show the new policies within 10 s of the SIGHUP; soft-resetting outbound all the same')
    await this.opts.cli.run(['neighbor', 'all', 'softresetout'])
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
