// Test support for api/desired: PodCliqueSet fixtures and a simulated control loop that plays the
// PCS, PCSG and PodClique controllers and the apiserver (uids, generated pod names) until the object
// graph of a PodCliqueSet is complete, so tests can assert on the whole graph.

import type { Pod } from '../../api/core/wire.js';
import {
  type PodBuildConfig,
  type PodCliqueSetTree,
  type TopologyInput,
  defaultSchedulerBackend,
  desiredPodCliqueSetTree,
  desiredPodsToCreate,
  desiredScalingGroupMembers,
  injectStartupWait,
} from '../../api/desired/index.js';
import type {
  ClusterTopologyBinding,
  PodClique,
  PodCliqueScalingGroup,
  PodCliqueSet,
  PodCliqueTemplateSpec,
} from '../../api/generated/types.js';
import { LABEL_STARTUP_WAIT } from '../../api/keys.js';
import { clusterTopology, LOCAL_LEVELS } from './admission.js';
import { defaultPodCliqueSet } from '../../api/rules/podcliqueset/defaults.js';

export const INIT_CONTAINER = { image: 'copse:test', command: ['copse', 'initc'] };
export const POD_CONFIG: PodBuildConfig = { backend: defaultSchedulerBackend };
export const NO_TOPOLOGY: TopologyInput = { enabled: true };

/** Grove's TAS e2e topology `grove-topology` (zone → block → rack → host) with copse's node label keys. */
export const GROVE_TOPOLOGY = clusterTopology('grove-topology', LOCAL_LEVELS) as unknown as ClusterTopologyBinding;

/** A simple clique template (replicas r, minAvailable m). */
export function clique(name: string, replicas = 1, extra: Partial<PodCliqueTemplateSpec['spec']> = {}): PodCliqueTemplateSpec {
  return {
    name,
    spec: {
      roleName: name,
      replicas,
      podSpec: { containers: [{ name, image: 'busybox' }] },
      ...extra,
    },
  };
}

/** A defaulted, persisted PodCliqueSet `name` in namespace `ns`. */
export function persisted(pcs: PodCliqueSet): PodCliqueSet {
  const d = defaultPodCliqueSet(pcs);
  return { ...d, metadata: { ...d.metadata, uid: d.metadata.uid ?? `uid-pcs-${d.metadata.name ?? ''}` } };
}

export function pcsOf(name: string, template: PodCliqueSet['spec']['template'], replicas = 1): PodCliqueSet {
  return persisted({
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name, namespace: 'ns' },
    spec: { replicas, template },
  });
}

/** What the apiserver adds on create: a uid (deterministic from the name). */
export function created<T extends { metadata: { name?: string; uid?: string } }>(obj: T): T {
  return { ...obj, metadata: { ...obj.metadata, uid: obj.metadata.uid ?? `uid-${obj.metadata.name ?? ''}` } };
}

/** A created pod: name = generateName + a 5-character suffix derived from its index. */
export function createdPod(pod: Pod): Pod {
  const index = pod.metadata?.labels?.['grove.io/podclique-pod-index'] ?? '0';
  const name = `${pod.metadata?.generateName ?? ''}p${index.padStart(4, '0')}`;
  return { ...pod, metadata: { ...pod.metadata, name, uid: `uid-${name}`, creationTimestamp: '2025-01-01T00:00:00Z' } };
}

export interface Graph {
  tree: PodCliqueSetTree;
  scalingGroups: PodCliqueScalingGroup[];
  /** Standalone and member PodCliques. */
  podCliques: PodClique[];
  pods: Pod[];
}

export interface SimulateOptions {
  topology?: TopologyInput;
  /** Overrides of PodCliqueScalingGroup spec.replicas by name (an HPA or `kubectl scale`). */
  scaleGroups?: Record<string, number>;
}

/** Run the controllers to a fixpoint for `pcs` (no pod ever gets scheduled). */
export function simulate(pcs: PodCliqueSet, opts: SimulateOptions = {}): Graph {
  const topology = opts.topology ?? NO_TOPOLOGY;
  const backend = defaultSchedulerBackend;
  const first = desiredPodCliqueSetTree({ pcs, existing: {}, topology, backend });
  const scalingGroups = first.scalingGroups.map((g) => {
    const n = opts.scaleGroups?.[g.metadata.name ?? ''];
    return created(n === undefined ? g : { ...g, spec: { ...g.spec, replicas: n } });
  });
  const members = scalingGroups.flatMap((g) => desiredScalingGroupMembers(g, pcs, []).podCliques.map(created));
  const podCliques = [...first.podCliques.map(created), ...members];
  const pods = podCliques.flatMap((p) => desiredPodsToCreate(p, pcs, [], p.spec.replicas, POD_CONFIG).map(admitted).map(createdPod));
  const tree = desiredPodCliqueSetTree({ pcs, existing: { podCliques, scalingGroups, pods }, topology, backend });
  return { tree, scalingGroups, podCliques, pods };
}

/** The pod as admission leaves it: the startup webhook injects the init container into marked pods. */
export function admitted(pod: Pod): Pod {
  if (!pod.metadata?.labels?.[LABEL_STARTUP_WAIT]) return pod;
  const r = injectStartupWait(pod, INIT_CONTAINER);
  if ('errors' in r) throw new Error(`startup webhook refused ${pod.metadata.generateName ?? ''}: ${JSON.stringify(r.errors)}`);
  return r.pod;
}

/** Names of `objs`. */
export function names(objs: readonly { metadata?: { name?: string } }[]): string[] {
  return objs.map((o) => o.metadata?.name ?? '');
}
