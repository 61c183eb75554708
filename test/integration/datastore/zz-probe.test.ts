import t from 'tap'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { diagnoseTls } from '../../../src/datastore/tls-diagnosis.js'
import { startEtcd } from '../../helpers/etcd.js'
const etcd = await startEtcd(t, { tls: true })
const { certFile: _c, keyFile: _k, ...noCert } = etcd.settings
const s = Date.now()
await EtcdStore.connect({ ...noCert, timeoutMs: 5000 }).catch((e) => t.comment(String(e), Date.now() - s))
t.comment(await diagnoseTls(noCert, 2000))
t.comment(await diagnoseTls({ ...etcd.settings, caCertFile: undefined }, 2000))
t.comment(await diagnoseTls(etcd.settings, 2000))
t.comment(await diagnoseTls({ ...etcd.settings, endpoints: ['https://127.0.0.1:1'] }, 2000))
