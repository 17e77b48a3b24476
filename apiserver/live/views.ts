// The three live collections over the shared informer caches: which informer event makes which view
// object dirty, and how each object is computed (api/views does the computing). The informers are the
// process's shared ones (controllers/runtime InformerFactory), so the views read the very caches the
// controllers reconcile from and never call the API per request.
import type { Node, Pod } from '../../api/core/wire.js';
import type { ClusterTopologyBinding, PodClique, PodCliqueScalingGroup, PodCliqueSet, PodGang } from '../../api/generated/types.js';
import { LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_PODCLIQUE, LABEL_PODGANG, MANAGED_BY_VALUE } from '../../api/keys.js';
import { placementView, podCliqueSetView, type TopologyDomainView, type ViewObject } from '../../api/views/index.js';
import { INDEX_PART_OF, INDEX_PODCLIQUE, INDEX_PODGANG, pcsKeyOf } from '../../controllers/context.js';
import type { InformerFactory } from '../../controllers/runtime/factory.js';
import type { EventHandler, Informer } from '../../controllers/runtime/informer.js';
import { byLabel, keyOf } from '../../controllers/runtime/store.js';
import type { ObjectLike } from '../../kube/dynamic.js';
import { objectKey, RESOURCES } from '../../kube/resources.js';
import type { ResourceName } from '../resources.js';
import type { ResourceVersionClock } from './clock.js';
import { LiveCollection, naturalSortKey } from './collection.js';
import { TopologyIndex } from './topology-index.js';

export const INDEX_NODE = 'node';

export interface ViewInformers {
  pcs: Informer<PodCliqueSet>;
  pclq: Informer<PodClique>;
  pcsg: Informer<PodCliqueScalingGroup>;
  podGangs: Informer<PodGang>;
  pods: Informer<Pod>;
  nodes: Informer<Node>;
  ctbs: Informer<ClusterTopologyBinding>;
}

/** The informers the views read (the same objects the controllers get from the factory), with the indexes they need. */
export function viewInformers(factory: InformerFactory): ViewInformers {
  const inf: ViewInformers = {
    pcs: factory.informer(RESOURCES.podCliqueSets),
    pclq: factory.informer(RESOURCES.podCliques),
    pcsg: factory.informer(RESOURCES.podCliqueScalingGroups),
    podGangs: factory.informer(RESOURCES.podGangs),
    pods: factory.informer(RESOURCES.pods),
    nodes: factory.informer(RESOURCES.nodes),
    ctbs: factory.informer(RESOURCES.clusterTopologyBindings),
  };
  // Same names and functions as the controllers' (addIndex ignores a name already added).
  for (const i of [inf.pclq, inf.pcsg, inf.podGangs, inf.pods] as Informer<ObjectLike>[]) i.store.addIndex(INDEX_PART_OF, byLabel(LABEL_PART_OF));
  inf.pods.store.addIndex(INDEX_PODCLIQUE, byLabel(LABEL_PODCLIQUE));
  inf.pods.store.addIndex(INDEX_PODGANG, byLabel(LABEL_PODGANG));
  inf.pods.store.addIndex(INDEX_NODE, (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
  return inf;
}

export interface LiveViews {
  collections: Record<ResourceName, LiveCollection>;
  informers: ViewInformers;
  synced(): boolean;
  stop(): void;
}

function managed<T extends ObjectLike>(objs: readonly T[]): T[] {
  return objs.filter((o) => o.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_VALUE);
}

/** add/update/delete → `keys(obj)` of the old and the new object, each marked dirty. */
function marking<T>(keys: (obj: T) => readonly (string | undefined)[], mark: (key: string) => void): EventHandler<T> {
  const each = (o: T) => {
    for (const k of keys(o)) if (k !== undefined) mark(k);
  };
  return {
    add: each,
    // A resync hands the same object twice: nothing changed.
    update: (o, n) => {
      if (o === n) return;
      each(o);
      each(n);
    },
    delete: each,
  };
}

function nsKey(o: ObjectLike, name: string | undefined): string | undefined {
  return name ? objectKey(o.metadata?.namespace, name) : undefined;
}

export interface LiveViewsOptions {
  clock: ResourceVersionClock;
  flushDelayMs?: number;
  historySize?: number;
  onError?: (resource: ResourceName, key: string, err: unknown) => void;
}

export function liveViews(factory: InformerFactory, opts: LiveViewsOptions): LiveViews {
  const inf = viewInformers(factory);
  const common = { clock: opts.clock, ...(opts.flushDelayMs !== undefined ? { flushDelayMs: opts.flushDelayMs } : {}), ...(opts.historySize ? { historySize: opts.historySize } : {}) };
  const nsNameKey = (o: ViewObject) => naturalSortKey(o.metadata.namespace ?? '', o.metadata.name);

  const podcliquesets = new LiveCollection({
    ...common,
    keys: () => inf.pcs.store.keys(),
    sortKey: nsNameKey,
    compute: (key) => {
      const pcs = inf.pcs.store.get(key);
      if (!pcs) return undefined;
      return podCliqueSetView({
        pcs,
        pclqs: managed(inf.pclq.store.byIndex(INDEX_PART_OF, key)),
        pcsgs: managed(inf.pcsg.store.byIndex(INDEX_PART_OF, key)),
        podGangs: managed(inf.podGangs.store.byIndex(INDEX_PART_OF, key)),
        pods: managed(inf.pods.store.byIndex(INDEX_PART_OF, key)),
      });
    },
    onError: (key, err) => opts.onError?.('podcliquesets', key, err),
  });

  const topology = new TopologyIndex({
    nodes: () => inf.nodes.store.list(),
    node: (name) => inf.nodes.store.getByName(undefined, name),
    podsOnNode: (name) => inf.pods.store.byIndex(INDEX_NODE, name),
    bindings: () => inf.ctbs.store.list(),
  });

  const placements = new LiveCollection({
    ...common,
    keys: () => inf.pclq.store.keys(),
    sortKey: nsNameKey,
    compute: (key) => {
      const pclq = inf.pclq.store.get(key);
      if (!pclq) return undefined;
      const ns = pclq.metadata.namespace;
      const gangName = pclq.metadata.labels?.[LABEL_PODGANG];
      const gangKey = gangName ? objectKey(ns, gangName) : undefined;
      const gang = gangKey ? inf.podGangs.store.get(gangKey) : undefined;
      return placementView({
        pclq,
        pods: inf.pods.store.byIndex(INDEX_PODCLIQUE, key),
        ...(gang ? { gang } : {}),
        gangPods: gangKey ? inf.pods.store.byIndex(INDEX_PODGANG, gangKey) : [],
        node: (name) => inf.nodes.store.getByName(undefined, name),
        levels: topology.viewLevels,
      });
    },
    onError: (key, err) => opts.onError?.('placements', key, err),
  });

  const topologydomains = new LiveCollection({
    ...common,
    keys: () => topology.keys(),
    sortKey: (o) => {
      const d = o as TopologyDomainView;
      const level = topology.viewLevels.findIndex((l) => l.domain === d.spec.level);
      return naturalSortKey(String(level).padStart(4, '0'), d.spec.value);
    },
    compute: (key) => topology.view(key),
    onError: (key, err) => opts.onError?.('topologydomains', key, err),
  });

  const refreshNodes = (names: Iterable<string>) => {
    for (const n of new Set(names)) for (const d of topology.refreshNode(n)) topologydomains.markDirty(d);
  };
  const rebuildTopology = () => {
    topology.rebuild();
    // Levels name the domains and order the placements' levels: everything may have changed.
    topologydomains.markAllDirty();
    placements.markAllDirty();
  };

  inf.pcs.on(marking((o: PodCliqueSet) => [keyOf(o)], (k) => podcliquesets.markDirty(k)));
  const markPcs = (k: string) => podcliquesets.markDirty(k);
  inf.pclq.on(marking((o: PodClique) => [pcsKeyOf(o)], markPcs));
  inf.pcsg.on(marking((o: PodCliqueScalingGroup) => [pcsKeyOf(o)], markPcs));
  inf.podGangs.on(marking((o: PodGang) => [pcsKeyOf(o)], markPcs));
  inf.pclq.on(marking((o: PodClique) => [keyOf(o)], (k) => placements.markDirty(k)));
  inf.podGangs.on(marking((g: PodGang) => g.spec.podgroups.map((pg) => nsKey(g, pg.name)), (k) => placements.markDirty(k)));
  inf.pods.on({
    add: (p) => podChanged(undefined, p),
    update: (o, n) => {
      if (o !== n) podChanged(o, n);
    },
    delete: (p) => podChanged(p, undefined),
  });
  function podChanged(old: Pod | undefined, cur: Pod | undefined): void {
    for (const p of [old, cur]) {
      if (!p) continue;
      const pcs = pcsKeyOf(p);
      if (pcs) podcliquesets.markDirty(pcs);
      const pclq = nsKey(p, p.metadata?.labels?.[LABEL_PODCLIQUE]);
      if (pclq) placements.markDirty(pclq);
      // A gang-wide or scaling-group constraint covers every PodClique of the gang.
      const gang = nsKey(p, p.metadata?.labels?.[LABEL_PODGANG]);
      const g = gang ? inf.podGangs.store.get(gang) : undefined;
      if (g && (g.spec.topologyConstraint || g.spec.topologyConstraintGroupConfigs)) for (const pg of g.spec.podgroups) placements.markDirty(objectKey(p.metadata?.namespace, pg.name));
    }
    const nodes = [old?.spec?.nodeName, cur?.spec?.nodeName].filter((n): n is string => Boolean(n));
    refreshNodes(nodes);
  }
  inf.nodes.on({
    add: (n) => refreshNodes([n.metadata?.name ?? '']),
    update: (o, n) => {
      if (o === n) return;
      refreshNodes([n.metadata?.name ?? '']);
      // Placements show node labels: a relabelled node moves its pods' PodCliques between domains.
      if (JSON.stringify(o.metadata?.labels ?? {}) !== JSON.stringify(n.metadata?.labels ?? {})) {
        for (const p of inf.pods.store.byIndex(INDEX_NODE, n.metadata?.name ?? '')) {
          const k = nsKey(p, p.metadata?.labels?.[LABEL_PODCLIQUE]);
          if (k) placements.markDirty(k);
        }
      }
    },
    delete: (n) => refreshNodes([n.metadata?.name ?? '']),
  });
  inf.ctbs.on({
    add: () => topology.levelsChanged() && rebuildTopology(),
    update: (o, n) => o !== n && topology.levelsChanged() && rebuildTopology(),
    delete: () => topology.levelsChanged() && rebuildTopology(),
  });

  const collections = { podcliquesets, placements, topologydomains };
  let primed = false;
  const informers = Object.values(inf) as Informer<ObjectLike>[];
  return {
    collections,
    informers: inf,
    synced: () => {
      if (primed) return true;
      if (!informers.every((i) => i.hasSynced())) return false;
      // The first time every cache is complete, index from scratch (events before that may have
      // arrived in any order across informers).
      topology.rebuild();
      for (const c of Object.values(collections)) c.markAllDirty();
      primed = true;
      return true;
    },
    stop: () => {
      for (const c of Object.values(collections)) c.stop();
    },
  };
}
