/**
 * IPv4 autodetection end to end, inside a network namespace: every method through
 * `falconer node autodetect` run there — the real `ip -j addr show`, the kernel's own
 * source-address choice for can-reach, the resolver reading the namespace's /etc/hosts.
 */
import t from 'tap'
import { everyMethodOf } from './setup.js'

everyMethodOf(t, 4)
