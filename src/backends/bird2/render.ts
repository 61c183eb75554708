import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import type { BgpIntent, FamilyIntent } from '../../bgp/intent/types.js'
import { compileTemplateSet } from '../../bgp/render/templates.js'
import { SAMPLE_VIEWS } from '../../bgp/render/sample-view.js'
import { configView, type ConfigView } from '../../bgp/render/view.js'

/**
 * What the BIRD 2 template sees: both families' views (the same ConfigView the BIRD 1.6
 * templates get, so the intent → view mapping is shared) plus what the one daemon has once.
 */
export interface Bird2View {
  readonly routerId: string
  readonly debug: ConfigView['debug']
  readonly v4: ConfigView
  readonly v6: ConfigView
}

export interface Bird2Templates {
  readonly bird: (view: Bird2View) => string
  readonly sources: ReadonlyMap<string, string>
}

/** Works from src/backends/bird2 (tap) and dist/backends/bird2 (built). */
export const BIRD2_TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/bird2/', import.meta.url))

/** Operators override BIRD 2 templates in a `bird2/` folder of the template override dir. */
export function bird2OverrideDir(templateOverrideDir: string): string {
  return join(templateOverrideDir, 'bird2')
}

/**
 * The packaged BIRD 2 templates with an operator's overrides (`<override dir>/bird2/`),
 * rendered once against sample views so a broken override fails here, naming the file.
 */
export function loadBird2Templates(templateOverrideDir?: string): Bird2Templates {
  const set = compileTemplateSet<Bird2View>(
    BIRD2_TEMPLATE_DIR,
    templateOverrideDir === undefined ? undefined : bird2OverrideDir(templateOverrideDir),
    ['bird.cfg.hbs'],
  )
  const templates: Bird2Templates = { bird: set.main.get('bird.cfg.hbs')!, sources: set.sources }
  const [enabled, disabled] = SAMPLE_VIEWS as [ConfigView, ConfigView]
  templates.bird({ routerId: enabled.routerId, debug: enabled.debug, v4: enabled, v6: { ...disabled, debug: enabled.debug } })
  templates.bird({ routerId: enabled.routerId, debug: disabled.debug, v4: { ...disabled, family: 4 }, v6: { ...enabled, family: 6 } })
  return templates
}

export function bird2View(intent: BgpIntent): Bird2View {
  const v4 = configView(intent.v4, 4)
  return { routerId: intent.v4.routerId, debug: v4.debug, v4, v6: configView(intent.v6, 6) }
}

/**
 * One bird.cfg for both families. Pure and deterministic; ends with exactly one newline.
 * Whitespace is normalised as for BIRD 1.6, so template indentation never shows.
 */
export function renderBird2Config(intent: BgpIntent, templates: Bird2Templates): string {
  const text = templates.bird(bird2View(intent))
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`
}

