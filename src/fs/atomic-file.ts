import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'

/**
 * Two-phase atomic replace (invariant 3 in docs/design.md): stage writes a temp file in the target's own
 * directory (same filesystem, so rename is atomic) and fsyncs it; commit renames it over
 * the target and fsyncs the directory so the rename itself survives a crash. Between the
 * two, the caller validates the staged file.
 */
export interface StagedFile {
  readonly tmpPath: string
  readonly target: string
}

export async function stageFile(target: string, text: string, mode: number): Promise<StagedFile> {
  const tmpPath = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const fh = await open(tmpPath, 'wx', mode)
  try {
    await fh.writeFile(text)
    await fh.chmod(mode) // the umask may have narrowed or widened `open`'s mode
    await fh.sync()
  } catch (err) {
    // a full disk fails the write after the file was created: leave no torn temp file behind
    await fh.close().catch(() => undefined)
    await rm(tmpPath, { force: true })
    throw err
  }
  await fh.close()
  return { tmpPath, target }
}

export async function commitFile(staged: StagedFile): Promise<void> {
  await rename(staged.tmpPath, staged.target)
  const dir = await open(dirname(staged.target), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

export async function discardFile(staged: StagedFile): Promise<void> {
  await rm(staged.tmpPath, { force: true })
}

/** The current content, or undefined when the file does not exist yet. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Stage + commit in one step, creating the directory, for files nobody validates first. */
export async function writeFileAtomic(target: string, text: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  const staged = await stageFile(target, text, mode)
  try {
    await commitFile(staged)
  } catch (err) {
    await discardFile(staged)
    throw err
  }
}
