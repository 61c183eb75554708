import { EtcdStore } from '../../datastore/etcd-store.js'
import type { Logger } from '../../log.js'
import type { DatastoreSettings } from '../../settings/settings.js'
import { autodetectAddress } from '../autodetect/autodetect.js'
import { AutodetectMethodError, NoAddressFoundError } from '../autodetect/errors.js'
import { enableForwarding } from '../forwarding.js'
import { listInterfaces } from '../interfaces.js'
import { StartupError } from './errors.js'
import type { StartupDeps } from './startup.js'

/** The real effects: etcd, `ip -j addr`, the kernel's sysctls. */
export function defaultStartupDeps(datastore: DatastoreSettings, log: Logger): StartupDeps {
  return {
    openStore: () => EtcdStore.connect(datastore, log),
    listInterfaces: () => listInterfaces(),
    autodetect: async (method, family, ifaces) => {
      try {
        const r = await autodetectAddress(method, family, { listInterfaces: async () => [...ifaces], log })
        return { ok: true, address: r.address, interface: r.interface }
      } catch (err) {
        if (err instanceof NoAddressFoundError) return { ok: false, reason: err.reason }
        if (err instanceof AutodetectMethodError) throw new StartupError(err.message)
        throw err
      }
    },
    enableForwarding: (say) => enableForwarding(say),
  }
}
