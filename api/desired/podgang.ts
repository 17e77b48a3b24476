// PodGangs (grove-compat §4.6, §5.2): the units the scheduler places all-or-nothing.
//
// Per PodCliqueSet replica i there is a base gang `<pcs>-<i>` with, in this order, one pod group per
// standalone clique (template order), then per scaling group (template order) its replicas
// j < minAvailable, clique by clique (cliqueNames order). Each group replica j >= minAvailable has its own
// scaled gang `<pcsg>-<j - minAvailable>`. A pod group's minReplicas is the clique's template minAvailable.
//
// Gangs are applied immediately, before any pod exists; pods join a gang's podReferences as they are
// created (api/status/gates.ts releases a pod once it is referenced, §4.10; api/status/podgang.ts
// decides when a gang is Initialized). The PodCliqueSet pass builds a gang's structure and, once the
// gang exists, carries its podReferences over unchanged: keeping them current is the PodGang
// controller's job (`gangPodReferences`), one gang at a time, so a new pod waits for its own gang's
// update rather than for a pass over every gang of the PodCliqueSet.

import type { Pod } from '../core/wire.js';
import type { NamespacedName, PodClique, PodCliqueScalingGroupConfig, PodCliqueSet, PodGang, PodGangTopologyConstraint, PodGroup, TopologyConstraintGroupConfig } from '../generated/types.js';
import { SCHEDULER_API_VERSION } from '../kinds.js';
import { ANNOTATION_TOPOLOGY_NAME, COMPONENT_PODGANG, LABEL_COMPONENT, LABEL_PODGANG, LABEL_SCHEDULER_NAME } from '../keys.js';
import {
  basePodGangName,
  managedLabels,
  podCliqueName,
  podCliqueScalingGroupName,
  pcsgPodCliqueName,
  scaledPodGangName,
} from '../names.js';
import { type SchedulerBackend, schedulerNameOf } from './backend.js';
import { type StringMap, controllerOf, controllerRef, requireName, requireNamespace, sortedBy, withoutKeys } from './meta.js';
import { isTerminating } from './meta.js';
import { cliqueMinAvailable, groupMembers, groupMinAvailable, groupReplicas, scalingGroupConfigs, standaloneCliques } from './template.js';
import { type TopologyResolution, translateConstraint } from './topology.js';

const GROVE_PREFIX = 'grove.io/';
/** kubectl's copy of the whole applied manifest: useless on a gang and possibly hundreds of KiB. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** One pod group of a gang, before pods and topology are filled in. */
export interface GangGroupLayout {
  /** PodClique name. */
  podClique: string;
  minReplicas: number;
  /** Template clique name (for its topology constraint). */
  clique: string;
}

/** The shape of one gang: which PodCliques it groups. */
export interface GangLayout {
  name: string;
  /** PodCliqueSet replica index. */
  replica: number;
  /** Set for a scaled gang: the scaling group it scales. */
  scaledGroup?: PodCliqueScalingGroupConfig;
  groups: GangGroupLayout[];
  /** Base gang only: per scaling-group replica j < minAvailable, its PodCliques (for group topology). */
  baseGroupReplicas: { group: PodCliqueScalingGroupConfig; name: string; podCliques: string[] }[];
}

/** Current replicas of each scaling group, by config name (the PodCliqueScalingGroup's spec.replicas). */
export type ScalingGroupReplicas = ReadonlyMap<string, number>;

function memberGroups(pcs: PodCliqueSet, pcsgFqn: string, group: PodCliqueScalingGroupConfig, j: number): GangGroupLayout[] {
  return groupMembers(pcs, group).map((c) => ({
    podClique: pcsgPodCliqueName(pcsgFqn, j, c.name),
    minReplicas: cliqueMinAvailable(c),
    clique: c.name,
  }));
}

/**
 * The gangs of PodCliqueSet replica `replica`: the base gang, then the scaled gangs (groups in template
 * order, ascending j). A group absent from `replicas` has its template replicas.
 */
export function gangLayouts(pcs: PodCliqueSet, replica: number, replicas: ScalingGroupReplicas): GangLayout[] {
  const pcsName = requireName('PodCliqueSet', pcs);
  const base: GangLayout = {
    name: basePodGangName(pcsName, replica),
    replica,
    groups: standaloneCliques(pcs).map((c) => ({
      podClique: podCliqueName(pcsName, replica, c.name),
      minReplicas: cliqueMinAvailable(c),
      clique: c.name,
    })),
    baseGroupReplicas: [],
  };
  const scaled: GangLayout[] = [];
  for (const group of scalingGroupConfigs(pcs)) {
    const pcsgFqn = podCliqueScalingGroupName(pcsName, replica, group.name);
    const min = groupMinAvailable(group);
    for (let j = 0; j < min; j++) {
      const groups = memberGroups(pcs, pcsgFqn, group, j);
      base.groups.push(...groups);
      base.baseGroupReplicas.push({ group, name: `${pcsgFqn}-${j}`, podCliques: groups.map((g) => g.podClique) });
    }
    const current = replicas.get(group.name) ?? groupReplicas(group);
    for (let j = min; j < current; j++) {
      scaled.push({
        name: scaledPodGangName(pcsgFqn, j - min),
        replica,
        scaledGroup: group,
        groups: memberGroups(pcs, pcsgFqn, group, j),
        baseGroupReplicas: [],
      });
    }
  }
  return [base, ...scaled];
}

/** Pods by the PodClique that controls them (built once per pass: gangs look pods up per pod group). */
export type PodsByPodClique = ReadonlyMap<string, readonly Pod[]>;

export function podsByPodClique(pods: readonly Pod[]): PodsByPodClique {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const owner = controllerOf(p);
    if (owner?.kind !== 'PodClique') continue;
    const list = out.get(owner.name);
    if (list) list.push(p);
    else out.set(owner.name, [p]);
  }
  return out;
}

/** Existing, non-terminating pods of PodClique `podClique` that belong to gang `gang`, sorted by name. */
export function podReferences(pods: PodsByPodClique, podClique: string, gang: string): NamespacedName[] {
  const members = (pods.get(podClique) ?? []).filter((p) => !isTerminating(p) && p.metadata?.labels?.[LABEL_PODGANG] === gang);
  return sortedBy(members, (p) => p.metadata?.name ?? '').map((p) => ({
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
  }));
}

/** The podgroups of `gang` with the references its pods call for; the same array when nothing changed. */
export function gangPodReferences(gang: PodGang, pods: readonly Pod[]): PodGroup[] {
  const byClique = podsByPodClique(pods);
  const name = gang.metadata.name ?? '';
  let changed = false;
  const next = gang.spec.podgroups.map((g) => {
    const refs = podReferences(byClique, g.name, name);
    if (sameReferences(g.podReferences, refs)) return g;
    changed = true;
    return { ...g, podReferences: refs };
  });
  return changed ? next : gang.spec.podgroups;
}

function sameReferences(a: readonly NamespacedName[] | undefined, b: readonly NamespacedName[]): boolean {
  const have = a ?? [];
  return have.length === b.length && have.every((r, i) => r.name === b[i]?.name && r.namespace === b[i]?.namespace);
}

/** The references the existing gang holds for pod group `podClique` (the PodGang controller keeps them). */
function existingReferences(existing: PodGang, podClique: string): NamespacedName[] {
  return (existing.spec.podgroups.find((g) => g.name === podClique)?.podReferences ?? []).map((r) => ({ namespace: r.namespace, name: r.name }));
}

/** What a PodGang is built from besides the PodCliqueSet. */
export interface GangBuildContext {
  /**
   * Pods of the PodCliqueSet (`podsByPodClique`); those of the gang's PodCliques become the
   * podReferences of a gang that does not exist yet (an existing gang keeps its own).
   */
  pods: PodsByPodClique;
  /** The gang as it exists, if it does: its grove.io/ labels and annotations are kept. */
  existing?: PodGang;
  topology: TopologyResolution;
  backend: SchedulerBackend;
}

function topologyOf(pcs: PodCliqueSet, layout: GangLayout, topology: TopologyResolution) {
  const template = pcs.spec.template;
  // A scaled gang takes its group's constraint, falling back to the PodCliqueSet's (Grove's behaviour;
  // GREP-244 describes no fallback, §10.22).
  const gangSource = layout.scaledGroup ? (layout.scaledGroup.topologyConstraint ?? template.topologyConstraint) : template.topologyConstraint;
  const gang = translateConstraint(gangSource, topology);
  const groupConfigs: TopologyConstraintGroupConfig[] = [];
  for (const r of layout.baseGroupReplicas) {
    const tc = translateConstraint(r.group.topologyConstraint, topology);
    // An entry without a constraint would constrain nothing.
    if (tc) groupConfigs.push({ name: r.name, podGroupNames: r.podCliques, topologyConstraint: tc });
  }
  return { gang, groupConfigs };
}

function gangLabels(pcs: PodCliqueSet, pcsName: string, existing: PodGang | undefined, schedulerName: string): StringMap {
  return {
    ...withoutKeys(existing?.metadata.labels, (k) => !k.startsWith(GROVE_PREFIX)),
    ...withoutKeys(pcs.metadata.labels, (k) => k.startsWith(GROVE_PREFIX)),
    ...managedLabels(pcsName),
    [LABEL_COMPONENT]: COMPONENT_PODGANG,
    [LABEL_SCHEDULER_NAME]: schedulerName,
  };
}

function gangAnnotations(pcs: PodCliqueSet, existing: PodGang | undefined, topologyName: string | undefined): StringMap {
  return {
    ...withoutKeys(existing?.metadata.annotations, (k) => !k.startsWith(GROVE_PREFIX) || k === ANNOTATION_TOPOLOGY_NAME),
    ...withoutKeys(pcs.metadata.annotations, (k) => k.startsWith(GROVE_PREFIX) || k === LAST_APPLIED),
    ...(topologyName ? { [ANNOTATION_TOPOLOGY_NAME]: topologyName } : {}),
  };
}

/** The PodGang for `layout`, prepared by the backend. */
export function desiredPodGang(pcs: PodCliqueSet, layout: GangLayout, ctx: GangBuildContext): PodGang {
  const pcsName = requireName('PodCliqueSet', pcs);
  const byClique = new Map(pcs.spec.template.cliques.map((c) => [c.name, c]));
  const { gang, groupConfigs } = topologyOf(pcs, layout, ctx.topology);
  let translated = gang !== undefined || groupConfigs.length > 0;
  const podgroups: PodGroup[] = layout.groups.map((g) => {
    const tc: PodGangTopologyConstraint | undefined = translateConstraint(byClique.get(g.clique)?.topologyConstraint, ctx.topology);
    if (tc) translated = true;
    return {
      name: g.podClique,
      podReferences: ctx.existing ? existingReferences(ctx.existing, g.podClique) : podReferences(ctx.pods, g.podClique, layout.name),
      minReplicas: g.minReplicas,
      ...(tc ? { topologyConstraint: tc } : {}),
    };
  });
  const priorityClassName = pcs.spec.template.priorityClassName;
  const built: PodGang = {
    apiVersion: SCHEDULER_API_VERSION,
    kind: 'PodGang',
    metadata: {
      name: layout.name,
      namespace: requireNamespace('PodCliqueSet', pcs),
      labels: gangLabels(pcs, pcsName, ctx.existing, schedulerNameOf(pcs, ctx.backend.name)),
      annotations: gangAnnotations(pcs, ctx.existing, translated ? ctx.topology.topologyName : undefined),
      ownerReferences: [controllerRef('PodCliqueSet', pcs)],
    },
    spec: {
      podgroups,
      ...(gang ? { topologyConstraint: gang } : {}),
      ...(groupConfigs.length > 0 ? { topologyConstraintGroupConfigs: groupConfigs } : {}),
      ...(priorityClassName ? { priorityClassName } : {}),
    },
  };
  return ctx.backend.preparePodGang(built, { pcs, replica: layout.replica });
}

export interface GangMember {
  podClique: string;
  minReplicas: number;
  /** The PodClique exists and is not being deleted. */
  exists: boolean;
  /** Pods it must have in the gang: its spec.replicas (0 while it does not exist). */
  requiredPods: number;
}

/**
 * Which PodCliques gang `gang` needs and how many pods each must have (grove-compat §4.6: a gang is
 * initialized once every constituent PodClique exists and has spec.replicas pods labelled with it).
 */
export function gangMembership(gang: PodGang, podCliques: readonly PodClique[]): GangMember[] {
  const live = new Map(podCliques.filter((p) => !isTerminating(p)).map((p) => [p.metadata.name ?? '', p]));
  return gang.spec.podgroups.map((g) => {
    const pclq = live.get(g.name);
    return { podClique: g.name, minReplicas: g.minReplicas, exists: pclq !== undefined, requiredPods: pclq?.spec.replicas ?? 0 };
  });
}
