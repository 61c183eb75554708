import { readFileSync } from 'node:fs'
import {
  Etcd3,
  EtcdAuthenticationFailedError,
  EtcdPermissionDeniedError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
  type IOptions,
  type IRangeRequest,
  type IRangeResponse,
  type ITxnRequest,
  type ITxnResponse,
  type KVClient,
} from 'etcd3'
import type { DatastoreSettings } from '../settings/settings.js'
import { EndpointBreaker, EndpointCoolingDownError } from './endpoint-breaker.js'
import {
  AuthenticationError,
  DatastoreError,
  PermissionDeniedError,
  TlsFileError,
  UnavailableError,
} from './errors.js'

/** grpc's per-call options, as etcd3's request methods take them. */
export type CallOptions = NonNullable<Parameters<KVClient['range']>[1]>

/**
 * Builds the etcd3 client from the datastore settings. Every unary call carries a
 * deadline of `timeoutMs` (etcd3 1.1.2 accepts a `dialTimeout` option but never reads
 * it, so deadlines are the only bound there is); streams (watch) carry none and are
 * supervised by the syncer instead.
 */
export function createEtcdClient(settings: DatastoreSettings): Etcd3 {
  const perCall = (): CallOptions => ({ deadline: Date.now() + settings.timeoutMs })
  const options: IOptions = {
    hosts: [...settings.endpoints],
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : perCall()),
    // etcd3's default per-endpoint breaker can lock itself half-open for good after an
    // etcd restart with password auth (see EndpointBreaker). With one endpoint there is no
    // other to send a call to, so refusing calls would only delay the recovery.
    faultHandling: { host: () => (settings.endpoints.length > 1 ? new EndpointBreaker() : EndpointBreaker.neverOpen()).asHostPolicy() },
    grpcOptions: {
      // A catch-up watch response or a large list can exceed grpc's 4 MiB default; a
      // message that cannot be received would fail the same way on every retry.
      'grpc.max_receive_message_length': -1,
      // Notice a silently dead peer (no RST) on an idle watch stream.
      'grpc.keepalive_time_ms': 15_000,
      'grpc.keepalive_timeout_ms': Math.min(settings.timeoutMs, 10_000),
      'grpc.keepalive_permit_without_calls': 1,
      // grpc's reconnect backoff grows to 120 s by default; after an etcd restart we
      // want to be back within seconds.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    },
  }
  const credentials = readTlsFiles(settings)
  if (credentials) options.credentials = credentials
  if (settings.username !== undefined) {
    options.auth = { username: settings.username, password: settings.password ?? '', callOptions: perCall }
  }
  return new Etcd3(options)
}

function readTlsFiles(settings: DatastoreSettings): IOptions['credentials'] | undefined {
  const { caCertFile, certFile, keyFile } = settings
  if (caCertFile === undefined && certFile === undefined && keyFile === undefined) return undefined
  const read = (what: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined
    try {
      return readFileSync(file)
    } catch (e) {
      throw new TlsFileError(what, file, e)
    }
  }
  const ca = read('CA certificate', caCertFile)
  const cert = read('client certificate', certFile)
  const key = read('client key', keyFile)
  return {
    // etcd3 types the CA as required, but grpc takes null to mean "the system roots".
    rootCertificate: ca ?? (null as unknown as Buffer),
    ...(key && { privateKey: key }),
    ...(cert && { certChain: cert }),
  }
}

/**
 * Runs one etcd request under a hard bound: the request (and etcd3's own retries of it)
 * carries an absolute deadline, and a timer guards the parts grpc deadlines do not
 * cover (e.g. the auth token exchange against several endpoints in turn).
 */
export async function bounded<T>(settings: DatastoreSettings, request: (opts: CallOptions) => Promise<T>): Promise<T> {
  const deadline = Date.now() + settings.timeoutMs
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(settings.endpoints, settings.timeoutMs, undefined, settings.source)), settings.timeoutMs)
  })
  try {
    return await Promise.race([request({ deadline }), expired])
  } catch (e) {
    throw toDatastoreError(e, settings)
  } finally {
    clearTimeout(timer)
  }
}

/** The two KV requests the store needs, each bounded and with typed errors. */
export interface BoundedKv {
  range(req: IRangeRequest): Promise<IRangeResponse>
  txn(req: ITxnRequest): Promise<ITxnResponse>
}

export function boundedKv(client: Etcd3, settings: DatastoreSettings): BoundedKv {
  return {
    range: (req) => bounded(settings, (opts) => client.kv.range(req, opts)),
    txn: (req) => bounded(settings, (opts) => client.kv.txn(req, opts)),
  }
}

/** etcd3/grpc failures → the typed errors the CLI knows how to print. */
export function toDatastoreError(e: unknown, settings: DatastoreSettings): Error {
  if (e instanceof DatastoreError) return e
  if (e instanceof EtcdAuthenticationFailedError || e instanceof GRPCUnauthenticatedError) {
    return new AuthenticationError(settings.endpoints, settings.username, e)
  }
  if (e instanceof EtcdPermissionDeniedError) return new PermissionDeniedError(settings.endpoints, settings.username)
  if (isUnavailable(e)) return new UnavailableError(settings.endpoints, settings.timeoutMs, e, settings.source)
  if (e instanceof Error) return new DatastoreError(`etcd request failed: ${e.message}`, { cause: e })
  return new DatastoreError(`etcd request failed: ${String(e)}`)
}

function isUnavailable(e: unknown): boolean {
  return (
    e instanceof GRPCUnavailableError ||
    e instanceof GRPCDeadlineExceededError ||
    e instanceof GRPCCancelledError ||
    // The endpoint failed repeatedly just now and its breaker refused the call.
    e instanceof EndpointCoolingDownError
  )
}
