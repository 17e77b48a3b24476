// PodCliqueScalingGroups `<pcs>-<i>-<group>` (owned by the PodCliqueSet) and their member PodCliques
// (owned by the group, grove-compat §4.3, §4.4, §4.14). The PCSG controller scales a group by creating
// the members of replicas 0..replicas-1 and deleting those of higher replica indices.

import type { PodClique, PodCliqueScalingGroup, PodCliqueScalingGroupConfig, PodCliqueSet } from '../generated/types.js';
import { GROVE_API_VERSION } from '../kinds.js';
import {
  ANNOTATION_MNNVL_GROUP,
  COMPONENT_PCS_PODCLIQUESCALINGGROUP,
  FINALIZER_PODCLIQUESCALINGGROUP,
  LABEL_PCS_REPLICA_INDEX,
  LABEL_PCSG_REPLICA_INDEX,
} from '../keys.js';
import { podCliqueScalingGroupName, pcsgPodCliqueName } from '../names.js';
import {
  type ChildRef,
  type StringMap,
  childRef,
  controllerRef,
  isControlledBy,
 
  objectLabels,
  requireName,
  requireNamespace,
} from './meta.js';
import { isTerminating } from './meta.js';
import { podTemplateHash } from './hash.js';
import { desiredMemberPodClique } from './podclique.js';
import { decideReplicas, templateReplicasAnnotation } from './replicas.js';
import { groupMembers, groupMinAvailable, groupReplicas, scalingGroupConfigs } from './template.js';
import { updatePolicyOf } from '../rules/update-policy.js';
import { withFrozenTemplate } from '../update/freeze.js';

/**
 * Annotations of a PodCliqueScalingGroup: the config's, plus the PodCliqueSet's MNNVL group when the
 * config names none (the nearer layer wins, §4.13), plus the applied template replicas.
 */
function groupAnnotations(pcs: PodCliqueSet, config: PodCliqueScalingGroupConfig): StringMap {
  const out: StringMap = { ...config.annotations };
  const inherited = pcs.metadata.annotations?.[ANNOTATION_MNNVL_GROUP];
  if (inherited !== undefined && out[ANNOTATION_MNNVL_GROUP] === undefined) out[ANNOTATION_MNNVL_GROUP] = inherited;
  return { ...out, ...templateReplicasAnnotation(groupReplicas(config)) };
}

export function desiredScalingGroup(
  pcs: PodCliqueSet,
  replica: number,
  config: PodCliqueScalingGroupConfig,
  existing?: PodCliqueScalingGroup,
): PodCliqueScalingGroup {
  const pcsName = requireName('PodCliqueSet', pcs);
  const name = podCliqueScalingGroupName(pcsName, replica, config.name);
  return {
    apiVersion: GROVE_API_VERSION,
    kind: 'PodCliqueScalingGroup',
    metadata: {
      name,
      namespace: requireNamespace('PodCliqueSet', pcs),
      labels: {
        ...objectLabels(pcsName, name, COMPONENT_PCS_PODCLIQUESCALINGGROUP),
        [LABEL_PCS_REPLICA_INDEX]: String(replica),
      },
      annotations: groupAnnotations(pcs, config),
      finalizers: [FINALIZER_PODCLIQUESCALINGGROUP],
      ownerReferences: [controllerRef('PodCliqueSet', pcs)],
    },
    spec: {
      replicas: decideReplicas({ template: groupReplicas(config), autoscaled: config.scaleConfig !== undefined, existing }),
      minAvailable: groupMinAvailable(config),
      cliqueNames: [...config.cliqueNames],
    },
  };
}

/** The config and PodCliqueSet replica of a PodCliqueScalingGroup object, matched by exact name. */
export function locateScalingGroup(
  pcs: PodCliqueSet,
  pcsg: PodCliqueScalingGroup,
): { config: PodCliqueScalingGroupConfig; replica: number } {
  const pcsName = requireName('PodCliqueSet', pcs);
  const name = requireName('PodCliqueScalingGroup', pcsg);
  const label = pcsg.metadata.labels?.[LABEL_PCS_REPLICA_INDEX];
  if (label === undefined || !/^(0|[1-9][0-9]*)$/.test(label)) {
    throw new Error(`PodCliqueScalingGroup ${name}: metadata.labels["${LABEL_PCS_REPLICA_INDEX}"] must be a replica index`);
  }
  const replica = Number(label);
  const config = scalingGroupConfigs(pcs).find((g) => podCliqueScalingGroupName(pcsName, replica, g.name) === name);
  if (!config) throw new Error(`PodCliqueScalingGroup ${name}: no scaling group of PodCliqueSet "${pcsName}" has this name`);
  return { config, replica };
}

export interface ScalingGroupMembers {
  /** Member PodCliques of replicas 0..spec.replicas-1, replica by replica, in `cliqueNames` order. */
  podCliques: PodClique[];
  /** Existing members to delete (scale-in): highest group replica first. Already terminating ones are left out. */
  excess: ChildRef[];
}

function groupReplicaOf(pclq: PodClique): number {
  return Number(pclq.metadata.labels?.[LABEL_PCSG_REPLICA_INDEX] ?? -1);
}

/**
 * What the PCSG controller applies for `pcsg`: its member PodCliques at the group's current
 * `spec.replicas`, given the PodCliques it owns now (`existing`; others are ignored).
 */
export function desiredScalingGroupMembers(
  pcsg: PodCliqueScalingGroup,
  pcs: PodCliqueSet,
  existing: readonly PodClique[],
): ScalingGroupMembers {
  const { config, replica } = locateScalingGroup(pcs, pcsg);
  const pcsgFqn = requireName('PodCliqueScalingGroup', pcsg);
  const uid = pcsg.metadata.uid ?? '';
  const owned = existing.filter((p) => isControlledBy(p, uid));
  const byName = new Map(owned.map((p) => [p.metadata.name ?? '', p]));
  const members = groupMembers(pcs, config);
  const hashes = new Map(members.map((c) => [c.name, podTemplateHash(pcs, c.name)]));
  const { policy } = updatePolicyOf(pcs);

  const podCliques: PodClique[] = [];
  for (let j = 0; j < pcsg.spec.replicas; j++) {
    for (const clique of members) {
      const current = byName.get(pcsgPodCliqueName(pcsgFqn, j, clique.name));
      const placement = { pcsg, config, replica, groupReplica: j };
      // Under RollingRecreate a member keeps its template until the rollout recreates its group
      // replica; below the partition, always (api/update/freeze.ts).
      const desired = desiredMemberPodClique(pcs, placement, clique, current, hashes.get(clique.name));
      podCliques.push(withFrozenTemplate(desired, current, { policy, replica, member: true }));
    }
  }
  const wanted = new Set(podCliques.map((p) => p.metadata.name));
  const excess = owned
    .filter((p) => !wanted.has(p.metadata.name) && !isTerminating(p))
    .sort((a, b) => groupReplicaOf(b) - groupReplicaOf(a) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
    .map(childRef);
  return { podCliques, excess };
}
