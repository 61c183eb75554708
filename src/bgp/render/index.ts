export { renderBirdConfig } from './render.js'
export { loadTemplates, PACKAGED_TEMPLATE_DIR, type Templates, type ConfigTemplate } from './templates.js'
export { TemplateError } from './errors.js'
export type { ConfigView, BgpView, PeerView } from './view.js'
