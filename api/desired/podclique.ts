// Generated PodCliques (grove-compat §4.3, §4.4): standalone ones `<pcs>-<i>-<clique>` owned by the
// PodCliqueSet, and scaling-group members `<pcs>-<i>-<group>-<j>-<clique>` owned by their
// PodCliqueScalingGroup. The spec is the clique template's with the parents resolved (`startsAfter`),
// the PodCliqueSet priorityClassName filled in (§10.17) and, for members, the PCSG variables prepended.

import type { V1ObjectMeta } from '../core/wire.js';
import type { PodClique, PodCliqueScalingGroupConfig, PodCliqueSet, PodCliqueSpec, PodCliqueTemplateSpec } from '../generated/types.js';
import {
  ANNOTATION_TOPOLOGY_NAME,
  COMPONENT_PCS_PODCLIQUE,
  COMPONENT_PCSG_PODCLIQUE,
  FINALIZER_PODCLIQUE,
  LABEL_BASE_PODGANG,
  LABEL_PCS_REPLICA_INDEX,
  LABEL_PCSG,
  LABEL_PCSG_REPLICA_INDEX,
  LABEL_POD_TEMPLATE_HASH,
  LABEL_PODGANG,
} from '../keys.js';
import { GROVE_API_VERSION } from '../kinds.js';
import { basePodGangName, podCliqueName, podGangNameForPcsgReplica, pcsgPodCliqueName } from '../names.js';
import { prependEnv, scalingGroupEnv } from './env.js';
import { podTemplateHash } from './hash.js';
import { type StringMap, controllerRef, objectLabels, requireName, requireNamespace, withoutKeys } from './meta.js';
import { decideReplicas, templateReplicasAnnotation } from './replicas.js';
import { resolveStartsAfter } from './startup.js';
import { cliqueMinAvailable, effectivePodSpec, groupMembers, groupMinAvailable } from './template.js';

/** What differs between a standalone PodClique and a group member. */
interface PodCliqueShape {
  name: string;
  component: string;
  ownerReference: NonNullable<V1ObjectMeta['ownerReferences']>[number];
  podGang: string;
  extraLabels: StringMap;
  startsAfter: string[];
  /** Applied to the clique template's pod spec (members get the PCSG variables). */
  podSpecExtra?: (spec: PodCliqueSpec['podSpec']) => PodCliqueSpec['podSpec'];
  /** The template replicas are managed by an HPA (only standalone cliques can have one). */
  autoscaled: boolean;
  /** `podTemplateHash(pcs, clique.name)` when the caller has it (it is the same for every replica). */
  templateHash: string | undefined;
}

function buildPodClique(
  pcs: PodCliqueSet,
  replica: number,
  clique: PodCliqueTemplateSpec,
  shape: PodCliqueShape,
  existing: PodClique | undefined,
): PodClique {
  const pcsName = requireName('PodCliqueSet', pcs);
  const template = clique.spec;
  const podSpec = effectivePodSpec(pcs, clique);
  const spec: PodCliqueSpec = {
    roleName: template.roleName,
    podSpec: shape.podSpecExtra ? shape.podSpecExtra(podSpec) : podSpec,
    replicas: decideReplicas({ template: template.replicas, autoscaled: shape.autoscaled, existing }),
    minAvailable: cliqueMinAvailable(clique),
  };
  if (shape.startsAfter.length > 0) spec.startsAfter = shape.startsAfter;
  if (template.autoScalingConfig) spec.autoScalingConfig = structuredClone(template.autoScalingConfig);

  return {
    apiVersion: GROVE_API_VERSION,
    kind: 'PodClique',
    metadata: {
      name: shape.name,
      namespace: requireNamespace('PodCliqueSet', pcs),
      // Template labels first: the operator's labels must win, controllers select by them.
      labels: {
        ...clique.labels,
        ...objectLabels(pcsName, shape.name, shape.component),
        [LABEL_PCS_REPLICA_INDEX]: String(replica),
        [LABEL_PODGANG]: shape.podGang,
        [LABEL_POD_TEMPLATE_HASH]: shape.templateHash ?? podTemplateHash(pcs, clique.name),
        ...shape.extraLabels,
      },
      // The topology name belongs on PodGangs only (§4.3).
      annotations: {
        ...withoutKeys(clique.annotations, (k) => k === ANNOTATION_TOPOLOGY_NAME),
        ...templateReplicasAnnotation(template.replicas),
      },
      finalizers: [FINALIZER_PODCLIQUE],
      ownerReferences: [shape.ownerReference],
    },
    spec,
  };
}

/**
 * Standalone PodClique `<pcs>-<replica>-<clique>`, in the base gang, owned by the PodCliqueSet.
 * `templateHash` saves recomputing `podTemplateHash(pcs, clique.name)` for every replica.
 */
export function desiredStandalonePodClique(
  pcs: PodCliqueSet,
  replica: number,
  clique: PodCliqueTemplateSpec,
  existing?: PodClique,
  templateHash?: string,
): PodClique {
  const pcsName = requireName('PodCliqueSet', pcs);
  return buildPodClique(
    pcs,
    replica,
    clique,
    {
      name: podCliqueName(pcsName, replica, clique.name),
      component: COMPONENT_PCS_PODCLIQUE,
      ownerReference: controllerRef('PodCliqueSet', pcs),
      podGang: basePodGangName(pcsName, replica),
      extraLabels: {},
      startsAfter: resolveStartsAfter(pcs, replica, clique.name),
      autoscaled: clique.spec.autoScalingConfig !== undefined,
      templateHash,
    },
    existing,
  );
}

/** Sum of the template replicas of a group's cliques (GROVE_PCSG_TEMPLATE_NUM_PODS). */
export function groupTemplateNumPods(pcs: PodCliqueSet, group: PodCliqueScalingGroupConfig): number {
  return groupMembers(pcs, group).reduce((sum, c) => sum + c.spec.replicas, 0);
}

/** Where a member PodClique sits: its PodCliqueScalingGroup object and the group replica index. */
export interface MemberPlacement {
  /** The PodCliqueScalingGroup object (it owns the member, so its uid is needed). */
  pcsg: { metadata: V1ObjectMeta };
  config: PodCliqueScalingGroupConfig;
  /** PodCliqueSet replica index. */
  replica: number;
  /** Group replica index j. */
  groupReplica: number;
}

/**
 * Member PodClique `<pcsg>-<j>-<clique>`, owned by the PodCliqueScalingGroup. Replicas j < minAvailable are
 * in the base gang; the others each have their own gang `<pcsg>-<j - minAvailable>` and carry
 * `grove.io/base-podgang`, which holds their gates until the base gang is scheduled (§4.10).
 */
export function desiredMemberPodClique(
  pcs: PodCliqueSet,
  placement: MemberPlacement,
  clique: PodCliqueTemplateSpec,
  existing?: PodClique,
  templateHash?: string,
): PodClique {
  const pcsName = requireName('PodCliqueSet', pcs);
  const pcsgFqn = requireName('PodCliqueScalingGroup', placement.pcsg);
  const { config, replica, groupReplica } = placement;
  const minAvailable = groupMinAvailable(config);
  const extraLabels: StringMap = {
    [LABEL_PCSG]: pcsgFqn,
    [LABEL_PCSG_REPLICA_INDEX]: String(groupReplica),
  };
  if (groupReplica >= minAvailable) extraLabels[LABEL_BASE_PODGANG] = basePodGangName(pcsName, replica);
  const vars = scalingGroupEnv(groupTemplateNumPods(pcs, config));
  return buildPodClique(
    pcs,
    replica,
    clique,
    {
      name: pcsgPodCliqueName(pcsgFqn, groupReplica, clique.name),
      component: COMPONENT_PCSG_PODCLIQUE,
      ownerReference: controllerRef('PodCliqueScalingGroup', placement.pcsg),
      podGang: podGangNameForPcsgReplica(pcsName, replica, pcsgFqn, groupReplica, minAvailable),
      extraLabels,
      startsAfter: resolveStartsAfter(pcs, replica, clique.name, groupReplica),
      podSpecExtra: (spec) => prependEnv(spec, vars),
      autoscaled: false,
      templateHash,
    },
    existing,
  );
}
