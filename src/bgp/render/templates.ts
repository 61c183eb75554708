import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Handlebars from 'handlebars'
import { TemplateError } from './errors.js'
import { SAMPLE_VIEWS } from './sample-view.js'
import type { ConfigView } from './view.js'

export type ConfigTemplate = (view: ConfigView) => string

export interface Templates {
  readonly bird: ConfigTemplate
  readonly bird6: ConfigTemplate
  /** Template file names (`bird.cfg.hbs`, `partials/peer.hbs`) → where each was read from. */
  readonly sources: ReadonlyMap<string, string>
}

/** Works from src/bgp/render (tap) and dist/bgp/render (built): both are three levels down. */
export const PACKAGED_TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url))

const MAIN = ['bird.cfg.hbs', 'bird6.cfg.hbs'] as const
const COMPILE_OPTIONS = { noEscape: true, strict: true } as const

/**
 * Compiles the packaged templates, with files of the same name (or new partials) from
 * `overrideDir` taking their place. Each call uses its own Handlebars environment, so a
 * broken override never poisons a later load of the packaged set. Throws TemplateError
 * naming the file when one cannot be read, parsed, or rendered against a sample intent.
 */
export function loadTemplates(opts: { overrideDir?: string } = {}): Templates {
  const set = compileTemplateSet(PACKAGED_TEMPLATE_DIR, opts.overrideDir, MAIN)
  const templates: Templates = {
    bird: set.main.get('bird.cfg.hbs')!,
    bird6: set.main.get('bird6.cfg.hbs')!,
    sources: set.sources,
  }
  for (const view of SAMPLE_VIEWS) {
    templates.bird(view)
    templates.bird6(view)
  }
  return templates
}

export interface TemplateSet<V> {
  /** Main template name → its renderer. */
  readonly main: ReadonlyMap<string, (view: V) => string>
  readonly sources: ReadonlyMap<string, string>
}

/**
 * One backend's set of templates: the main files `main` and `partials/*.hbs` of
 * `packagedDir`, each replaced by the file of the same name in `overrideDir` when there is
 * one. Every backend's templates get the same override and error rules this way.
 */
export function compileTemplateSet<V>(packagedDir: string, overrideDir: string | undefined, main: readonly string[]): TemplateSet<V> {
  const sources = new Map<string, string>()
  for (const name of listTemplates(packagedDir)) sources.set(name, join(packagedDir, name))
  if (overrideDir !== undefined && existsSync(overrideDir)) {
    for (const name of listTemplates(overrideDir)) sources.set(name, join(overrideDir, name))
  }
  for (const name of main) {
    if (!sources.has(name)) throw new TemplateError(join(packagedDir, name), 'template file is missing')
  }

  const env = Handlebars.create()
  const compiled = new Map<string, HandlebarsTemplateDelegate>()
  for (const [name, path] of [...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const fn = compileFile(env, path)
    if (name.startsWith('partials/')) env.registerPartial(basename(name, '.hbs'), fn)
    compiled.set(name, fn)
  }
  return {
    main: new Map(main.map((name) => [name, runner<V>(compiled.get(name)!, sources.get(name)!)])),
    sources,
  }
}

/** `bird.cfg.hbs`, `bird6.cfg.hbs` and `partials/*.hbs` under dir, relative names. */
function listTemplates(dir: string): string[] {
  const out: string[] = []
  for (const name of readDir(dir)) if (name.endsWith('.hbs')) out.push(name)
  const partials = join(dir, 'partials')
  if (existsSync(partials)) {
    for (const name of readDir(partials)) if (name.endsWith('.hbs')) out.push(`partials/${name}`)
  }
  return out
}

function readDir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch (err) {
    throw new TemplateError(dir, `cannot list templates: ${(err as Error).message}`, { cause: err })
  }
}

function compileFile(env: typeof Handlebars, path: string): HandlebarsTemplateDelegate {
  let source: string
  try {
    source = readFileSync(path, 'utf8')
  } catch (err) {
    throw new TemplateError(path, `cannot read: ${(err as Error).message}`, { cause: err })
  }
  try {
    // compile() is lazy: precompile parses now, so syntax errors surface at load time.
    env.precompile(source, COMPILE_OPTIONS)
    return env.compile(source, COMPILE_OPTIONS)
  } catch (err) {
    throw new TemplateError(path, (err as Error).message, { cause: err })
  }
}

function runner<V>(fn: HandlebarsTemplateDelegate, path: string): (view: V) => string {
  return (view) => {
    try {
      return fn(view)
    } catch (err) {
      // A partial may be the culprit; Handlebars names it in the message.
      throw new TemplateError(path, (err as Error).message, { cause: err })
    }
  }
}
