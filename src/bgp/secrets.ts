import { constants } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { watch, type FSWatcher } from 'chokidar'
import type { Snapshot } from '../api/snapshot.js'
import type { SecretKeyRef } from '../api/types.js'
import { isBirdSafeSecret } from '../api/validate/index.js'
import type { Logger } from '../log.js'
import { neededSecretRefsOf } from './intent/secret-refs.js'
import type { Problem } from './intent/types.js'

/**
 * BGP passwords without Kubernetes: a secretKeyRef {name, key} is the file
 * `<secretsDir>/<name>/<key>`, a regular file (not a symlink) owned by root or by the
 * agent's user, mode 0600 or 0400. The intent builder takes the values as a map keyed
 * `<name>/<key>`; this module is the only reader, and it watches the directory so that a
 * rotated or newly created secret is used without waiting for a datastore event.
 */

/** Secret files larger than this are not passwords (BIRD takes at most 80 characters). */
const MAX_SECRET_BYTES = 4096

export function neededSecretRefs(snapshot: Snapshot, nodeName: string): SecretKeyRef[] {
  return neededSecretRefsOf(snapshot, nodeName)
}

export interface SecretsRead {
  /** Keyed `<name>/<key>`; only values that passed every check. */
  readonly secrets: Map<string, string>
  readonly problems: Problem[]
}

/**
 * Reads each referenced secret. A file readable by group or others, owned by another user
 * or reached through a symlink is refused (it holds a BGP password: whoever can write it or
 * redirect it chooses what BIRD sends; invariant 7 in docs/design.md), and so is a value BIRD could not take verbatim. Refused
 * and missing secrets are reported; the intent then leaves their peerings out.
 */
export async function readSecrets(dir: string, refs: readonly SecretKeyRef[], log: Logger): Promise<SecretsRead> {
  const secrets = new Map<string, string>()
  const problems: Problem[] = []
  for (const ref of refs) {
    const id = `${ref.name}/${ref.key}`
    const path = join(dir, ref.name, ref.key)
    const refuse = (field: string, reason: string): void => {
      problems.push({ key: path, field, reason })
      log.warn({ secret: id, path, reason }, 'BGP password secret refused')
    }
    if (!isPathSegment(ref.name) || !isPathSegment(ref.key)) {
      refuse('path', 'secret name and key must be plain file names')
      continue
    }
    const read = await readSecretFile(path)
    if (read.kind === 'error') {
      refuse(read.field, read.reason)
      continue
    }
    // Files written with `echo` end in a newline that is not part of the password.
    const value = read.text.replace(/\r?\n$/, '')
    if (!isBirdSafeSecret(value)) {
      refuse('value', 'not a usable BGP password: 1-80 printable ASCII characters without " or \\')
      continue
    }
    secrets.set(id, value)
  }
  return { secrets, problems }
}

type ReadResult = { kind: 'ok'; text: string } | { kind: 'error'; field: string; reason: string }

async function readSecretFile(path: string): Promise<ReadResult> {
  let handle
  try {
    // O_NOFOLLOW: a symlink could point the agent at any file root can read
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ELOOP') return { kind: 'error', field: 'file', reason: 'is a symlink; secret files are not followed through symlinks: put the file itself there' }
    return { kind: 'error', field: 'file', reason: code === 'ENOENT' ? 'no such file' : `cannot open: ${(err as Error).message}` }
  }
  try {
    // fstat on the open descriptor: the checks apply to exactly what is read.
    const st = await handle.stat()
    if (!st.isFile()) return { kind: 'error', field: 'file', reason: 'not a regular file' }
    const self = process.getuid?.() ?? 0
    if (st.uid !== 0 && st.uid !== self) {
      return {
        kind: 'error',
        field: 'owner',
        reason: `owned by uid ${st.uid}; must be owned by root${self !== 0 ? ` or uid ${self} (the agent)` : ''}`,
      }
    }
    if ((st.mode & 0o077) !== 0) {
      return {
        kind: 'error',
        field: 'mode',
        reason: `mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} lets group or others read it; chmod 0600 (or 0400)`,
      }
    }
    if (st.size > MAX_SECRET_BYTES) return { kind: 'error', field: 'value', reason: `larger than ${MAX_SECRET_BYTES} bytes` }
    const buf = Buffer.alloc(MAX_SECRET_BYTES + 1)
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0)
    if (bytesRead > MAX_SECRET_BYTES) return { kind: 'error', field: 'value', reason: `larger than ${MAX_SECRET_BYTES} bytes` }
    return { kind: 'ok', text: buf.subarray(0, bytesRead).toString('utf8') }
  } catch (err) {
    return { kind: 'error', field: 'file', reason: `cannot read: ${(err as Error).message}` }
  } finally {
    await handle.close()
  }
}

function isPathSegment(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\0')
}

/** How long a secret file must stay unchanged before it is read (an editor writes in steps). */
const WRITE_SETTLE_MS = 100

/**
 * Watches the secrets directory (created 0700 when missing) and calls `onChange` when a
 * secret file appears, changes or goes away, so the config is rendered again from the
 * same snapshot. Returns the function that stops watching.
 */
export async function watchSecrets(dir: string, onChange: () => void, log: Logger): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const watcher: FSWatcher = watch(dir, {
    ignoreInitial: true,
    depth: 1, // <name>/<key>
    awaitWriteFinish: { stabilityThreshold: WRITE_SETTLE_MS, pollInterval: 25 },
  })
  watcher.on('all', (event, path) => {
    log.info({ event, path }, 'BGP secret changed; re-rendering')
    onChange()
  })
  watcher.on('error', (err) => log.warn({ err }, 'secrets directory watch failed'))
  return () => watcher.close()
}
