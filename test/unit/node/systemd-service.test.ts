import t from 'tap'
import { serviceFromCgroup } from '../../../src/node/lifecycle/stop.js'

// `node stop` refuses to SIGTERM an agent that systemd runs (Restart=always would start it
// again); the unit is read from the process's cgroup.
t.test('the service of a process, from /proc/<pid>/cgroup', async (t) => {
  t.equal(serviceFromCgroup('0::/system.slice/falconer.service\n'), 'falconer.service', 'cgroup v2')
  t.equal(serviceFromCgroup('12:pids:/system.slice/x.service\n1:name=systemd:/system.slice/falconer.service\n0::/\n'), 'falconer.service', 'cgroup v1')
  t.equal(serviceFromCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n'), undefined, 'a user manager is not the system unit')
  t.equal(serviceFromCgroup('0::/user.slice/user-0.slice/session-3.scope\n'), undefined, 'a login shell')
  t.equal(serviceFromCgroup('9:name=systemd:/\n4:memory:/process_api/61fa\n0::/\n'), undefined, 'no systemd')
})
