import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TeardownHost } from '../../test/helpers/netns.js'
import { stopper } from '../lib/child.js'
import { DIST_URL } from '../lib/paths.js'
import { cpuTimes, statusBytes } from '../lib/proc.js'
import { mean, MiB, now } from '../lib/stats.js'

export interface Footprint {
  readonly seconds: number
  /** CPU time (user + system) over wall time, in percent of one core. */
  readonly cpuPercent: number
  /** Of which in the kernel (system time). */
  readonly systemCpuPercent: number
  readonly rssMeanMiB: number
  readonly rssMaxMiB: number
  /** Of the RSS: anonymous memory (heaps, JIT code) and file-backed pages (the node binary, shared). */
  readonly rssAnonMiB: number
  readonly rssFileMiB: number
  readonly birdRssMiB: number
  readonly samples: number
}

/**
 * Samples /proc/PID/stat (CPU time) and /proc/PID/status (RSS) once a second for
 * `seconds`. One process only (the agent's node process); BIRD's RSS is reported next to it.
 */
export async function sampleFootprint(pid: number, birdPid: () => number | undefined, seconds: number): Promise<Footprint> {
  const rss: number[] = []
  const anon: number[] = []
  const file: number[] = []
  const bird: number[] = []
  const sample = () => {
    rss.push(statusBytes(pid, 'VmRSS') / MiB)
    anon.push(statusBytes(pid, 'RssAnon') / MiB)
    file.push(statusBytes(pid, 'RssFile') / MiB)
  }
  const cpu0 = cpuTimes(pid)
  const t0 = now()
  const end = t0 + seconds * 1000
  while (now() < end) {
    sample()
    const b = birdPid()
    if (b !== undefined) bird.push(statusBytes(b, 'VmRSS') / MiB)
    await sleep(Math.min(1000, Math.max(0, end - now())))
  }
  const wall = (now() - t0) / 1000
  const cpu1 = cpuTimes(pid)
  sample()
  return {
    seconds: wall,
    cpuPercent: ((cpu1.user + cpu1.system - cpu0.user - cpu0.system) / wall) * 100,
    systemCpuPercent: ((cpu1.system - cpu0.system) / wall) * 100,
    rssMeanMiB: mean(rss),
    rssMaxMiB: Math.max(...rss),
    rssAnonMiB: mean(anon),
    rssFileMiB: mean(file),
    birdRssMiB: bird.length > 0 ? mean(bird) : Number.NaN,
    samples: rss.length,
  }
}

/**
 * The floor under the agent's footprint, measured the same way: a node process that only
 * idles (`bare`), one that has loaded the etcd client library alone (`etcd3`: grpc-js and
 * protobufjs, which any etcd-speaking node agent carries), and one that has loaded the
 * agent's code (dist/cli/main.js, as `falconer node run` does) and then idles (`loaded`).
 */
export async function nodeFloors(t: TeardownHost, seconds: number): Promise<{ bare: Footprint; etcd3: Footprint; loaded: Footprint }> {
  const idle = 'setInterval(() => {}, 1000)'
  const idleAfter = (module: string) => ['--input-type=module', '-e', `await import(${JSON.stringify(module)}); ${idle}`]
  const bare = await idleProcess(t, ['-e', idle], seconds)
  const etcd3 = await idleProcess(t, idleAfter(pathToFileURL(createRequire(import.meta.url).resolve('etcd3')).href), seconds)
  const loaded = await idleProcess(t, idleAfter(new URL('cli/main.js', DIST_URL).href), seconds)
  return { bare, etcd3, loaded }
}

async function idleProcess(t: TeardownHost, args: readonly string[], seconds: number): Promise<Footprint> {
  const proc = spawn(process.execPath, args, { stdio: 'ignore' })
  const stop = stopper(proc, 5_000)
  t.teardown(stop)
  try {
    await sleep(2_000) // loaded and settled
    if (proc.pid === undefined || proc.exitCode !== null) throw new Error(`node ${args.join(' ')} did not keep running`)
    return await sampleFootprint(proc.pid, () => undefined, seconds)
  } finally {
    await stop()
  }
}
