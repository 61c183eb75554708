import type { Family, FamilyIntent } from '../intent/types.js'
import type { Templates } from './templates.js'
import { configView } from './view.js'

/**
 * bird.cfg (family 4) or bird6.cfg (family 6) text for one family's intent. Pure and
 * deterministic: same intent and templates, same bytes. Ends with exactly one newline.
 */
export function renderBirdConfig(intent: FamilyIntent, family: Family, templates: Templates): string {
  const template = family === 4 ? templates.bird : templates.bird6
  const text = template(configView(intent, family))
  // Template whitespace is easy to get slightly wrong; the file should not show it.
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`
}
