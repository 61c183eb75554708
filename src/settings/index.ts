export * from './settings.js'
export * from './paths.js'
export * from './errors.js'
export { parseClientConfig, readClientConfig } from './client-config.js'
