import { readFileSync } from 'node:fs'
import { connect, type ConnectionOptions } from 'node:tls'
import type { DatastoreSettings } from '../settings/settings.js'

/**
 * grpc reports every failed TLS handshake as "UNAVAILABLE: No connection established",
 * which tells an operator nothing. When an https endpoint is unreachable, one plain TLS
 * handshake with the same files says why: no client certificate, an untrusted server,
 * a name mismatch, or nothing listening.
 */
export async function diagnoseTls(settings: DatastoreSettings, budgetMs: number): Promise<string | undefined> {
  const endpoint = settings.endpoints.find((e) => e.startsWith('https://'))
  if (endpoint === undefined || budgetMs <= 0) return undefined
  const url = new URL(endpoint)
  const read = (file: string | undefined) => {
    try {
      return file === undefined ? undefined : readFileSync(file)
    } catch {
      return undefined
    }
  }
  const ca = read(settings.caCertFile)
  const cert = read(settings.certFile)
  const key = read(settings.keyFile)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const options: ConnectionOptions = {
    host,
    port: Number(url.port),
    ALPNProtocols: ['h2'],
    ...(ca && { ca }),
    ...(cert && { cert }),
    ...(key && { key }),
    // SNI carries names only; the certificate is still checked against the IP.
    ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
  }
  const outcome = await handshake(options, budgetMs)
  return outcome === undefined ? undefined : `TLS with ${url.host}: ${outcome}`
}

/** undefined when the handshake succeeded and the server kept the connection. */
function handshake(options: ConnectionOptions, budgetMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(options)
    let settled = false
    const finish = (why: string | undefined) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(why)
    }
    // With TLS 1.3 the server rejects a client certificate only after the client has
    // finished its half of the handshake, so a "secure" connection is watched briefly.
    const timer = setTimeout(() => finish(undefined), budgetMs)
    socket.on('secureConnect', () => setTimeout(() => finish(undefined), Math.min(500, budgetMs)))
    socket.on('error', (e: NodeJS.ErrnoException) => finish(explain(e)))
    socket.on('close', () => finish(undefined))
  })
}

function explain(e: NodeJS.ErrnoException): string {
  const code = e.code ?? ''
  if (/CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|HANDSHAKE_FAILURE/.test(code)) {
    return 'the server rejected the client certificate (it requires one signed by its CA: set ETCD_CERT_FILE and ETCD_KEY_FILE)'
  }
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED/.test(code)) {
    return 'the server certificate is not signed by the configured CA (check ETCD_CA_CERT_FILE)'
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the server certificate does not name this host (${e.message})`
  if (code === 'CERT_HAS_EXPIRED') return 'the server certificate has expired'
  if (code === 'ECONNREFUSED') return 'connection refused (is etcd listening there?)'
  return e.message
}
