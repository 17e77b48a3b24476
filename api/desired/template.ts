// Reading a (defaulted) PodCliqueSet template: cliques, scaling groups and which generated PodClique
// belongs to which template clique. Every lookup is by EXACT name. Grove matches a PodClique to its
// template by name suffix, so with cliques `pworker` and `worker` the PodClique `x-0-pworker` can pick
// up `worker`'s template (grove-compat §10.9); here `worker` never matches `pworker`.

import type { V1PodSpec } from '../core/wire.js';
import type {
  CliqueStartupType,
  PodClique,
  PodCliqueScalingGroupConfig,
  PodCliqueSet,
  PodCliqueTemplateSpec,
} from '../generated/types.js';
import { LABEL_PCS_REPLICA_INDEX, LABEL_PCSG, LABEL_PCSG_REPLICA_INDEX } from '../keys.js';
import { podCliqueName, podCliqueScalingGroupName, pcsgPodCliqueName } from '../names.js';

export function pcsReplicas(pcs: PodCliqueSet): number {
  return pcs.spec.replicas ?? 0;
}

export function startupType(pcs: PodCliqueSet): CliqueStartupType {
  return pcs.spec.template.cliqueStartupType ?? 'CliqueStartupTypeAnyOrder';
}

export function cliqueTemplates(pcs: PodCliqueSet): PodCliqueTemplateSpec[] {
  return pcs.spec.template.cliques;
}

export function scalingGroupConfigs(pcs: PodCliqueSet): PodCliqueScalingGroupConfig[] {
  return pcs.spec.template.podCliqueScalingGroups ?? [];
}

/** The clique template named exactly `name`. */
export function findClique(pcs: PodCliqueSet, name: string): PodCliqueTemplateSpec | undefined {
  return cliqueTemplates(pcs).find((c) => c.name === name);
}

/** The scaling group config named exactly `name`. */
export function findScalingGroup(pcs: PodCliqueSet, name: string): PodCliqueScalingGroupConfig | undefined {
  return scalingGroupConfigs(pcs).find((g) => g.name === name);
}

/** The scaling group `clique` belongs to, if any (a clique belongs to at most one, §3.3 V26). */
export function groupOfClique(pcs: PodCliqueSet, clique: string): PodCliqueScalingGroupConfig | undefined {
  return scalingGroupConfigs(pcs).find((g) => g.cliqueNames.includes(clique));
}

/** Cliques that belong to no scaling group, in template order. */
export function standaloneCliques(pcs: PodCliqueSet): PodCliqueTemplateSpec[] {
  return cliqueTemplates(pcs).filter((c) => groupOfClique(pcs, c.name) === undefined);
}

/** The member cliques of `group` in `cliqueNames` order; an unknown name is an Error naming the field. */
export function groupMembers(pcs: PodCliqueSet, group: PodCliqueScalingGroupConfig): PodCliqueTemplateSpec[] {
  const gi = scalingGroupConfigs(pcs).indexOf(group);
  return group.cliqueNames.map((name, ci) => {
    const clique = findClique(pcs, name);
    if (!clique) {
      throw new Error(`spec.template.podCliqueScalingGroups[${gi}].cliqueNames[${ci}]: clique "${name}" is not defined`);
    }
    return clique;
  });
}

export function groupReplicas(group: PodCliqueScalingGroupConfig): number {
  return group.replicas ?? 1;
}

export function groupMinAvailable(group: PodCliqueScalingGroupConfig): number {
  return group.minAvailable ?? 1;
}

/** A clique's minAvailable (defaulting always sets it; replicas is the fallback for undefaulted input). */
export function cliqueMinAvailable(clique: PodCliqueTemplateSpec): number {
  return clique.spec.minAvailable ?? clique.spec.replicas;
}

/**
 * The pod spec the clique's pods run: the template podSpec with the PodCliqueSet's
 * `template.priorityClassName` filled in when the clique sets none. Grove passes the template value only to
 * PodGangs, so with the default scheduler it never takes effect, and it overwrites the clique value when
 * hashing, so editing only the clique's priorityClassName never rolls the pods (grove-compat §10.17).
 */
export function effectivePodSpec(pcs: PodCliqueSet, clique: PodCliqueTemplateSpec): V1PodSpec {
  const podSpec = structuredClone(clique.spec.podSpec);
  const fallback = pcs.spec.template.priorityClassName;
  if (!podSpec.priorityClassName && fallback) podSpec.priorityClassName = fallback;
  return podSpec;
}

/** Where a generated PodClique sits in the PodCliqueSet. */
export interface PodCliqueLocation {
  /** PodCliqueSet replica index. */
  replica: number;
  clique: PodCliqueTemplateSpec;
  /** Set for members of a scaling group: the group config and the group replica index. */
  group?: { config: PodCliqueScalingGroupConfig; replica: number };
}

const INDEX = '(0|[1-9][0-9]*)';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Locate a PodClique by its name alone, by exact construction: `<pcs>-<i>-<clique>` for a standalone
 * clique, `<pcs>-<i>-<group>-<j>-<clique>` for a group member. Used for the parents listed in
 * `spec.startsAfter`, which carry no labels. The first match in template order wins; two matches need
 * names crafted to collide (a group name containing `-<digits>-`), which the labels disambiguate when
 * the PodClique object is at hand (see `locatePodClique`).
 */
export function locatePodCliqueName(pcs: PodCliqueSet, name: string): PodCliqueLocation | undefined {
  const prefix = escapeRegExp(pcs.metadata.name ?? '');
  for (const clique of cliqueTemplates(pcs)) {
    const c = escapeRegExp(clique.name);
    const group = groupOfClique(pcs, clique.name);
    if (!group) {
      const m = new RegExp(`^${prefix}-${INDEX}-${c}$`).exec(name);
      if (m) return { replica: Number(m[1]), clique };
      continue;
    }
    const g = escapeRegExp(group.name);
    const m = new RegExp(`^${prefix}-${INDEX}-${g}-${INDEX}-${c}$`).exec(name);
    if (m) return { replica: Number(m[1]), clique, group: { config: group, replica: Number(m[2]) } };
  }
  return undefined;
}

function intLabel(pclq: PodClique, key: string): number | undefined {
  const v = pclq.metadata.labels?.[key];
  return v !== undefined && /^(0|[1-9][0-9]*)$/.test(v) ? Number(v) : undefined;
}

/**
 * Locate a generated PodClique object: by its replica-index and scaling-group labels when present
 * (unambiguous), checked against the exact name the location generates; by name otherwise.
 */
export function locatePodClique(pcs: PodCliqueSet, pclq: PodClique): PodCliqueLocation | undefined {
  const pcsName = pcs.metadata.name ?? '';
  const name = pclq.metadata.name ?? '';
  const replica = intLabel(pclq, LABEL_PCS_REPLICA_INDEX);
  if (replica === undefined) return locatePodCliqueName(pcs, name);
  const pcsgFqn = pclq.metadata.labels?.[LABEL_PCSG];
  const groupReplica = intLabel(pclq, LABEL_PCSG_REPLICA_INDEX);
  if (pcsgFqn === undefined || groupReplica === undefined) {
    const clique = standaloneCliques(pcs).find((c) => podCliqueName(pcsName, replica, c.name) === name);
    return clique ? { replica, clique } : undefined;
  }
  const config = scalingGroupConfigs(pcs).find((g) => podCliqueScalingGroupName(pcsName, replica, g.name) === pcsgFqn);
  if (!config) return undefined;
  const cliqueName = config.cliqueNames.find((c) => pcsgPodCliqueName(pcsgFqn, groupReplica, c) === name);
  const clique = cliqueName === undefined ? undefined : findClique(pcs, cliqueName);
  return clique ? { replica, clique, group: { config, replica: groupReplica } } : undefined;
}
