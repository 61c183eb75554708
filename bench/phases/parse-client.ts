/**
 * One measured read of a replayed `show route [all]` reply, in a fresh process (so its
 * RSS is its own): `parse` runs BirdControl.streamBatches + parseRouteBatches, exactly what
 * the status reporter does; `lines` only frames the reply into (batches of) lines, to show
 * what the parsing itself costs. With `backend: 'bird2'` the reply is in BIRD 2's format and
 * `parse` is what BIRD 2's family readers run: BirdControl.stream + BIRD 2's
 * parseRouteStream (one awaited line at a time). RSS growth = peak RSS during the read (VmHWM, reset just
 * before it) minus RSS before it.
 */
import type { BirdBackend } from '../lib/backends.js'
import { log, runPhase } from '../lib/phase.js'
import { resetPeakRss, statusBytes } from '../lib/proc.js'
import { product } from '../lib/product.js'
import { MiB, now } from '../lib/stats.js'

export interface ParseClientOptions {
  readonly socket: string
  readonly command: 'show route' | 'show route all'
  readonly expected: number
  readonly mode: 'parse' | 'lines'
  readonly backend: BirdBackend
}

runPhase<ParseClientOptions>('parse-client', async (opts) => {
  const p = await product()
  const gc = (globalThis as { gc?: () => void }).gc
  const ctl = new p.BirdControl({ socketPath: opts.socket, timeoutMs: 60_000 })
  try {
    await ctl.request('show status') // connected before the baseline
    gc?.()
    const rssBefore = statusBytes('self', 'VmRSS')
    const peakReset = resetPeakRss()
    const cpu0 = process.cpuUsage()
    const t0 = now()
    let count = 0
    let lines = 0
    if (opts.mode === 'parse' && opts.backend === 'bird2') {
      for await (const route of p.bird2ParseRouteStream(ctl.stream(opts.command, { timeoutMs: 60_000 }))) if (route.network.length > 0) count++
    } else if (opts.mode === 'parse') {
      for await (const batch of p.parseRouteBatches(ctl.streamBatches(opts.command, { timeoutMs: 60_000 }))) {
        for (const route of batch) if (route.network.length > 0) count++
      }
    } else {
      // A route's own line; its attribute and (BIRD 2) next-hop lines start with a tab, and
      // BIRD 2 opens each table with "Table NAME:".
      for await (const batch of ctl.streamBatches(opts.command, { timeoutMs: 60_000 })) {
        for (const line of batch) {
          if (line.kind === 'final') continue
          lines++
          if (line.text.charCodeAt(0) !== 9 && !line.text.startsWith('Table ')) count++
        }
      }
    }
    const seconds = (now() - t0) / 1000
    const cpu = process.cpuUsage(cpu0)
    const peak = peakReset ? statusBytes('self', 'VmHWM') : Number.NaN
    if (count !== opts.expected) throw new Error(`${opts.command}: parsed ${count} routes, expected ${opts.expected}`)
    const figures = {
      routes: count,
      lines,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      routesPerSecond: count / seconds,
      rssBeforeMiB: rssBefore / MiB,
      rssGrowthMiB: (peak - rssBefore) / MiB,
    }
    log('parse', `${opts.backend} ${opts.mode} "${opts.command}": ${count} routes in ${seconds.toFixed(2)} s (${Math.round(figures.routesPerSecond)}/s), RSS +${figures.rssGrowthMiB.toFixed(1)} MiB`)
    return { figures, details: opts, notes: [] }
  } finally {
    await ctl.close()
  }
})
