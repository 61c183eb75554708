/**
 * `bird -p -c FILE` / `bird6 -p -c FILE`: BIRD's own parser, run on the host. `-p` only
 * parses the file and exits; it opens no socket and touches no routing table.
 */
import { execa } from 'execa'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface CheckResult {
  readonly ok: boolean
  /** BIRD's `FILE:LINE:COL message`, empty when ok. */
  readonly message: string
}

export async function birdCheckFile(file: string, family: 4 | 6): Promise<CheckResult> {
  const r = await execa(family === 4 ? 'bird' : 'bird6', ['-p', '-c', file], { reject: false, timeout: 60_000 })
  return { ok: r.exitCode === 0, message: `${r.stderr}${r.stdout}`.trim() }
}

/** Checks many files with a few BIRD processes at a time (each run takes milliseconds). */
export async function birdCheckFiles(
  files: readonly { file: string; family: 4 | 6 }[],
  concurrency = 4,
): Promise<CheckResult[]> {
  const results: CheckResult[] = new Array(files.length)
  let next = 0
  const worker = async () => {
    while (next < files.length) {
      const i = next++
      const f = files[i]!
      results[i] = await birdCheckFile(f.file, f.family)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker))
  return results
}

/** Writes texts to a temp dir and checks them; the dir is removed afterwards. */
export async function birdCheckTexts(texts: readonly { text: string; family: 4 | 6 }[]): Promise<CheckResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-bird-p-'))
  try {
    const files = await Promise.all(
      texts.map(async (t, i) => {
        const file = join(dir, `${i}.bird${t.family === 6 ? '6' : ''}.cfg`)
        await writeFile(file, t.text)
        return { file, family: t.family }
      }),
    )
    return await birdCheckFiles(files)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
