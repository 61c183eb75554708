import t from 'tap'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildIntent } from '../../../src/bgp/intent/index.js'
import { loadTemplates, PACKAGED_TEMPLATE_DIR, renderBirdConfig, TemplateError } from '../../../src/bgp/render/index.js'
import { snapshot, threeNodes } from './builders.js'

const intent = buildIntent({ snapshot: snapshot({ nodes: threeNodes() }), nodeName: 'node-1' })

t.test('packaged templates load from the package root', async (t) => {
  const templates = loadTemplates()
  t.equal(templates.sources.get('bird.cfg.hbs'), join(PACKAGED_TEMPLATE_DIR, 'bird.cfg.hbs'))
  t.equal(templates.sources.get('partials/peer.hbs'), join(PACKAGED_TEMPLATE_DIR, 'partials', 'peer.hbs'))
  t.match(renderBirdConfig(intent.v4, 4, templates), /^protocol bgp Mesh_10_99_0_2 from bgp_template \{$/m)
})

t.test('an override directory replaces files of the same name', async (t) => {
  const dir = t.testdir({ partials: {} })
  const packaged = readFileSync(join(PACKAGED_TEMPLATE_DIR, 'partials', 'bgp-template.hbs'), 'utf8')
  writeFileSync(join(dir, 'partials', 'bgp-template.hbs'), packaged.replace('connect retry time 5;', 'connect retry time 7;'))
  const templates = loadTemplates({ overrideDir: dir })
  t.equal(templates.sources.get('partials/bgp-template.hbs'), join(dir, 'partials', 'bgp-template.hbs'))
  t.equal(templates.sources.get('bird.cfg.hbs'), join(PACKAGED_TEMPLATE_DIR, 'bird.cfg.hbs'), 'others stay packaged')
  t.match(renderBirdConfig(intent.v4, 4, templates), /connect retry time 7;/)
  t.match(renderBirdConfig(intent.v6, 6, templates), /connect retry time 7;/)
  t.match(renderBirdConfig(intent.v4, 4, loadTemplates()), /connect retry time 5;/, 'a later packaged load is unaffected')
})

t.test('a missing override directory means no overrides', async (t) => {
  const templates = loadTemplates({ overrideDir: join(t.testdir({}), 'absent') })
  t.equal(templates.sources.get('bird.cfg.hbs'), join(PACKAGED_TEMPLATE_DIR, 'bird.cfg.hbs'))
})

t.test('a broken override throws a TemplateError naming the file; packaged still loads', async (t) => {
  const dir = t.testdir({ 'bird6.cfg.hbs': '{{#if bgp}}\nunclosed\n' })
  const err = (() => {
    try {
      loadTemplates({ overrideDir: dir })
    } catch (e) {
      return e
    }
    return undefined
  })()
  t.ok(err instanceof TemplateError, 'TemplateError')
  t.equal((err as TemplateError).file, join(dir, 'bird6.cfg.hbs'))
  t.match((err as TemplateError).message, /bird6\.cfg\.hbs/)
  t.doesNotThrow(() => loadTemplates())
})

t.test('an override that names a field the intent does not have fails at load time', async (t) => {
  const dir = t.testdir({ partials: { 'peer.hbs': 'protocol bgp {{name}} { neighbor {{adress}} as {{asNumber}}; }\n' } })
  t.throws(() => loadTemplates({ overrideDir: dir }), TemplateError, 'strict mode: a typo is an error, not an empty string')
})

t.test('an override may add partials', async (t) => {
  const dir = t.testdir({ partials: {} })
  mkdirSync(join(dir, 'partials'), { recursive: true })
  writeFileSync(join(dir, 'partials', 'extra.hbs'), '# site-specific\n')
  writeFileSync(join(dir, 'bird.cfg.hbs'), `${readFileSync(join(PACKAGED_TEMPLATE_DIR, 'bird.cfg.hbs'), 'utf8')}{{> extra}}\n`)
  t.match(renderBirdConfig(intent.v4, 4, loadTemplates({ overrideDir: dir })), /# site-specific\n$/)
})
