import { dirname } from 'node:path'
import { reloadBird } from '../../bgp/apply/bird-reload.js'
import { ConfigApplier } from '../../bgp/apply/config-applier.js'
import { checkConfigThroughBird, checkWithBinary } from '../../bgp/apply/config-check.js'
import { buildIntent, holdsPassword } from '../../bgp/intent/index.js'
import type { RenderedConfigs } from '../../bgp/render-configs.js'
import { TemplateSource } from '../../bgp/template-source.js'
import { BirdControl } from '../../bird/control/index.js'
import type { Backend, BackendRenderInput, BirdInstall } from '../backend.js'
import { bird2Readers } from './family-readers.js'
import { loadBird2Templates, renderBird2Config, type Bird2Templates } from './render.js'

/**
 * BIRD 2: one `bird` for both families, one config file (bird.cfg) and one control socket
 * (bird.ctl) at the paths BIRD 1.6's IPv4 daemon uses. The file is applied once per
 * reconcile and reported for both families, since it carries both.
 */
export function bird2Backend(install: BirdInstall): Backend {
  return {
    name: 'bird2',
    install,
    start({ paths, log, controls }) {
      const control = controls?.(paths.birdSocket) ?? new BirdControl({ socketPath: paths.birdSocket, log })
      const templates = new TemplateSource<Bird2Templates>(paths.templateOverrideDir, log, loadBird2Templates)
      const applier = new ConfigApplier(paths.birdConfig, 4, {
        // Through the running BIRD's socket (`configure check`) when it is up; `bird -p` only when it is not.
        check: async (file, fam, displayName) => {
          await checkConfigThroughBird(control, file, fam, displayName, (f, _fam, d) => checkWithBinary(install.bird, f, d))
        },
        reload: (file) => reloadBird(control, file),
      }, log.child({ daemon: 'bird2' }))
      return {
        render: (input) => renderBird2(input, templates.get()),
        appliers: { v4: applier, v6: applier },
        daemons: [{ name: 'bird', binary: install.bird, config: paths.birdConfig, socket: paths.birdSocket, pidFile: paths.birdPid }],
        readers: bird2Readers(control),
        configDirs: [dirname(paths.birdConfig)],
        watchTemplates: (onChange) => templates.watch(onChange),
        close: async () => {
          await templates.close()
          await control.close()
        },
      }
    },
    renderOnce(input, { paths, log }) {
      const rendered = renderBird2(input, new TemplateSource<Bird2Templates>(paths.templateOverrideDir, log, loadBird2Templates).get())
      return { text: rendered.v4.text, problems: rendered.problems }
    },
  }
}

/** snapshot → intent → the one file, reported as each family's. Pure. */
export function renderBird2(input: BackendRenderInput, templates: Bird2Templates): RenderedConfigs {
  const intent = buildIntent({
    snapshot: input.snapshot,
    nodeName: input.nodeName,
    ...(input.routerId !== undefined && { routerId: input.routerId }),
    ...(input.secrets !== undefined && { secrets: input.secrets }),
    ...(input.drained === true && { drained: true }),
  })
  const file = {
    text: renderBird2Config(intent, templates),
    // invariant: a file holding any BGP password is readable by root only
    holdsSecret: holdsPassword(intent.v4) || holdsPassword(intent.v6),
  }
  return { revision: input.snapshot.revision, v4: file, v6: file, problems: intent.problems }
}
