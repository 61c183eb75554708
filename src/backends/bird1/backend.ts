import { dirname } from 'node:path'
import { reloadBird } from '../../bgp/apply/bird-reload.js'
import { ConfigApplier } from '../../bgp/apply/config-applier.js'
import { checkConfigThroughBird, checkWithBinary } from '../../bgp/apply/config-check.js'
import { renderConfigs } from '../../bgp/render-configs.js'
import { TemplateSource } from '../../bgp/template-source.js'
import { BirdControl } from '../../bird/control/index.js'
import { birdDaemonSpecs } from '../../bird/supervisor/daemons.js'
import { bird1Reader } from '../../status/family-reader.js'
import type { Backend, BirdInstall } from '../backend.js'

/**
 * BIRD 1.6: `bird` (IPv4) and `bird6` (IPv6), a config file and a control socket each.
 * The code it runs is the original pipeline's (src/bgp/render, src/bgp/apply,
 * src/bird/replies); this module only puts it behind the backend seam.
 */
export function bird1Backend(install: BirdInstall): Backend {
  const bird6 = install.bird6 ?? 'bird6'
  return {
    name: 'bird1',
    install,
    start({ paths, log, controls }) {
      const control = (socketPath: string) => controls?.(socketPath) ?? new BirdControl({ socketPath, log })
      const v4 = control(paths.birdSocket)
      const v6 = control(paths.bird6Socket)
      const templates = new TemplateSource(paths.templateOverrideDir, log)
      const applier = (family: 4 | 6) =>
        new ConfigApplier(family === 4 ? paths.birdConfig : paths.bird6Config, family, {
          // Through the running BIRD's socket (`configure check`) when it is up; `bird -p` only when it is not.
          check: async (file, fam, displayName) => {
            await checkConfigThroughBird(family === 4 ? v4 : v6, file, fam, displayName, (f, _fam, d) =>
              checkWithBinary(family === 4 ? install.bird : bird6, f, d),
            )
          },
          reload: (file) => reloadBird(family === 4 ? v4 : v6, file),
        }, log.child({ family }))
      return {
        render: (input) => renderConfigs({ ...input, templates: templates.get() }),
        appliers: { v4: applier(4), v6: applier(6) },
        daemons: birdDaemonSpecs(paths, ['bird', 'bird6'], { bird: install.bird, bird6 }),
        readers: { v4: bird1Reader(v4), v6: bird1Reader(v6) },
        configDirs: [dirname(paths.birdConfig), dirname(paths.bird6Config)],
        watchTemplates: (onChange) => templates.watch(onChange),
        close: async () => {
          await templates.close()
          await Promise.all([v4.close(), v6.close()])
        },
      }
    },
    renderOnce(input, { paths, log, family }) {
      const rendered = renderConfigs({ ...input, templates: new TemplateSource(paths.templateOverrideDir, log).get() })
      return { text: (family === 4 ? rendered.v4 : rendered.v6).text, problems: rendered.problems }
    },
  }
}
