export { buildIntent } from './build.js'
export { hashRouterId } from './router-id.js'
export { neededSecretRefsOf } from './secret-refs.js'
export type * from './types.js'
