import t from 'tap'
import { VERSION } from '../../src/version.js'
t.equal(typeof VERSION, 'string')
