import { DIST_URL } from './paths.js'

/**
 * The product as built by `npm run build` (dist/), loaded at run time so the figures are
 * those of the shipped code and not of a second compilation. The types come from src/.
 */
type RenderConfigs = typeof import('../../src/bgp/render-configs.js')
type Render = typeof import('../../src/bgp/render/index.js')
type SnapshotState = typeof import('../../src/datastore/snapshot-state.js')
type Codec = typeof import('../../src/datastore/codec.js')
type Keys = typeof import('../../src/datastore/keys.js')
type Cidr = typeof import('../../src/datastore/cidr.js')
type Control = typeof import('../../src/bird/control/index.js')
type Replies = typeof import('../../src/bird/replies/index.js')
type Bird2Backend = typeof import('../../src/backends/bird2/backend.js')
type Bird2Render = typeof import('../../src/backends/bird2/render.js')
type Bird2Replies = typeof import('../../src/backends/bird2/replies/index.js')
type GobgpBackend = typeof import('../../src/backends/gobgp/backend.js')
type LaunchPlan = typeof import('../../src/node/startup/launch-plan.js')

export interface Product {
  readonly renderConfigs: RenderConfigs['renderConfigs']
  readonly loadTemplates: Render['loadTemplates']
  readonly snapshotOf: SnapshotState['snapshotOf']
  readonly applyChanges: SnapshotState['applyChanges']
  readonly encodeResource: Codec['encodeResource']
  readonly encodeAffinity: Codec['encodeAffinity']
  readonly resourceKey: Keys['resourceKey']
  readonly affinityKey: Keys['affinityKey']
  readonly parseCidr: Cidr['parseCidr']
  readonly BirdControl: Control['BirdControl']
  readonly BirdCommandError: Control['BirdCommandError']
  readonly parseRouteStream: Replies['parseRouteStream']
  readonly parseRouteBatches: Replies['parseRouteBatches']
  /** The BIRD 2 backend's render (one file for both families) and its templates. */
  readonly renderBird2: Bird2Backend['renderBird2']
  readonly loadBird2Templates: Bird2Render['loadBird2Templates']
  /** BIRD 2's `show route [all]` reader, as its family readers use it. */
  readonly bird2ParseRouteStream: Bird2Replies['parseRouteStream']
  /** The GoBGP backend's render: snapshot → intent → gobgpd.toml (one file for both families). */
  readonly renderGobgp: GobgpBackend['renderGobgp']
  /** The node flags the agent runs with (systemd unit, detached launch). */
  readonly agentNodeFlags: LaunchPlan['AGENT_NODE_FLAGS']
}

const load = <T>(path: string): Promise<T> => import(new URL(path, DIST_URL).href) as Promise<T>

let loaded: Promise<Product> | undefined

export function product(): Promise<Product> {
  loaded ??= (async () => {
    const [rc, render, state, codec, keys, cidr, control, replies, bird2Backend, bird2Render, bird2Replies, gobgpBackend, launchPlan] = await Promise.all([
      load<RenderConfigs>('bgp/render-configs.js'),
      load<Render>('bgp/render/index.js'),
      load<SnapshotState>('datastore/snapshot-state.js'),
      load<Codec>('datastore/codec.js'),
      load<Keys>('datastore/keys.js'),
      load<Cidr>('datastore/cidr.js'),
      load<Control>('bird/control/index.js'),
      load<Replies>('bird/replies/index.js'),
      load<Bird2Backend>('backends/bird2/backend.js'),
      load<Bird2Render>('backends/bird2/render.js'),
      load<Bird2Replies>('backends/bird2/replies/index.js'),
      load<GobgpBackend>('backends/gobgp/backend.js'),
      load<LaunchPlan>('node/startup/launch-plan.js'),
    ])
    return {
      renderConfigs: rc.renderConfigs,
      loadTemplates: render.loadTemplates,
      snapshotOf: state.snapshotOf,
      applyChanges: state.applyChanges,
      encodeResource: codec.encodeResource,
      encodeAffinity: codec.encodeAffinity,
      resourceKey: keys.resourceKey,
      affinityKey: keys.affinityKey,
      parseCidr: cidr.parseCidr,
      BirdControl: control.BirdControl,
      BirdCommandError: control.BirdCommandError,
      parseRouteStream: replies.parseRouteStream,
      parseRouteBatches: replies.parseRouteBatches,
      renderBird2: bird2Backend.renderBird2,
      loadBird2Templates: bird2Render.loadBird2Templates,
      bird2ParseRouteStream: bird2Replies.parseRouteStream,
      renderGobgp: gobgpBackend.renderGobgp,
      agentNodeFlags: launchPlan.AGENT_NODE_FLAGS,
    }
  })()
  return loaded
}
