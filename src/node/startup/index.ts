export { runStartup, type StartupDeps, type StartupInput, type StartupResult, type StartupStore } from './startup.js'
export { defaultStartupDeps } from './deps.js'
export {
  resolveNodeRunConfig,
  DOCKER_ONLY_FLAGS,
  type NodeRunConfig,
  type NodeRunFlags,
  type RunMode,
  type AddressSetting,
  type Backend,
} from './run-config.js'
export { agentLaunchPlan, agentFlags, formatCommand, renderDryRun, type LaunchPlan } from './launch-plan.js'
export { StartupError, NodeRunConfigError } from './errors.js'
export type { Say } from './say.js'
