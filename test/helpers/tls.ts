import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TlsFiles {
  readonly dir: string
  readonly caFile: string
  /** Server certificate for 127.0.0.1 (SAN IP:127.0.0.1). */
  readonly serverCertFile: string
  readonly serverKeyFile: string
  /** Client certificate (CN=root, clientAuth). */
  readonly clientCertFile: string
  readonly clientKeyFile: string
}

/**
 * A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made by
 * `openssl` in `dir` (a test's temp dir). EC keys: quick to generate on a busy machine.
 */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  await mkdir(dir, { recursive: true })
  const f = (name: string) => join(dir, name)
  const ossl = (args: string[]) => run('openssl', args, { cwd: dir })
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

  await ossl(['req', '-x509', ...newKey, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=falconer-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])

  const issue = async (name: string, cn: string, ext: string) => {
    await writeFile(f(`${name}.ext`), ext)
    await ossl(['req', ...newKey, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`])
    await ossl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`)])
  }
  await issue('server', '127.0.0.1',
    'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n')
  await issue('client', 'root', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n')

  return {
    dir,
    caFile: f('ca.crt'),
    serverCertFile: f('server.crt'),
    serverKeyFile: f('server.key'),
    clientCertFile: f('client.crt'),
    clientKeyFile: f('client.key'),
  }
}
