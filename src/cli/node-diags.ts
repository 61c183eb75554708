import type { Command } from 'commander'
import { resolveNodeName } from '../node/nodename.js'
import { cliSettings, write } from './context.js'
import { exitWhenDoneFromNowOn } from './process-exit.js'

export interface DiagsOptions {
  outputDir?: string
  logLines: string
  logFile?: string
  name?: string
}

/** `falconer node diags` (definition in commands/node-diags.ts). */
export async function nodeDiags(o: DiagsOptions, cmd: Command): Promise<void> {
  const logLines = Number(o.logLines)
  if (!Number.isSafeInteger(logLines) || logLines < 0) throw new Error(`--log-lines ${o.logLines}: expected a whole number of lines`)
  const settings = cliSettings(cmd)
  const nodeName = resolveNodeName({ name: o.name, env: process.env, nodenameFile: settings.paths.nodenameFile })
  exitWhenDoneFromNowOn()
  const { collectDiags } = await import('../node/diags/collect.js')
  const archive = await collectDiags({
    settings,
    nodeName,
    logLines,
    ...(o.outputDir !== undefined && { outputDir: o.outputDir }),
    ...(o.logFile !== undefined && { logFile: o.logFile }),
  })
  write(`Diags saved to ${archive}\n`)
}
