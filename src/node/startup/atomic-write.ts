import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Writes a temp file next to `file`, fsyncs it and renames it over `file`: a crash at any
 * moment leaves the old file or the new one, never a torn one (invariant 3).
 */
export async function atomicWrite(file: string, text: string, mode = 0o644): Promise<void> {
  const dir = dirname(file)
  await mkdir(dir, { recursive: true })
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`)
  try {
    const handle = await open(tmp, 'w', mode)
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}
