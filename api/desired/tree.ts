// Everything the PodCliqueSet controller applies for one PodCliqueSet (grove-compat §4.2–§4.6), and the
// existing children it must delete. A pure function of the (defaulted) PodCliqueSet and what is observed;
// the shell applies the result. PodCliques of scaling groups are the PCSG controller's
// (`desiredScalingGroupMembers`), pods the PodClique controller's (`desiredPodsToCreate`).

import type { HorizontalPodAutoscaler, Pod, Role, RoleBinding, Secret, Service, ServiceAccount } from '../core/wire.js';
import type { PodClique, PodCliqueScalingGroup, PodCliqueSet, PodGang } from '../generated/types.js';
import { legacyInitContainerTokenSecretName, podCliqueName, podCliqueScalingGroupName } from '../names.js';
import type { SchedulerBackend } from './backend.js';
import { generationHash, podTemplateHash } from './hash.js';
import { desiredHpas } from './hpa.js';
import { type ChildRef, childRef, isControlledBy, requireName } from './meta.js';
import { isTerminating } from './meta.js';
import { desiredStandalonePodClique } from './podclique.js';
import { desiredPodGang, gangLayouts, podsByPodClique } from './podgang.js';
import { desiredRole, desiredRoleBinding, desiredServiceAccount, desiredTokenSecret } from './rbac.js';
import { desiredScalingGroup } from './scalinggroup.js';
import { desiredHeadlessService } from './service.js';
import { pcsReplicas, scalingGroupConfigs, standaloneCliques } from './template.js';
import { type TopologyInput, type TopologyResolution, resolveTopology } from './topology.js';
import { updatePolicyOf } from '../rules/update-policy.js';
import { withFrozenTemplate } from '../update/freeze.js';

/**
 * Children of the PodCliqueSet as observed (e.g. listed by `app.kubernetes.io/part-of=<pcs>`). Only
 * objects the PodCliqueSet controls (controller ownerReference with its uid) are ever reported as
 * excess; pods may belong to any of its PodCliques.
 */
export interface ExistingChildren {
  podCliques?: readonly PodClique[];
  scalingGroups?: readonly PodCliqueScalingGroup[];
  podGangs?: readonly PodGang[];
  services?: readonly Service[];
  hpas?: readonly HorizontalPodAutoscaler[];
  secrets?: readonly Secret[];
  pods?: readonly Pod[];
}

export interface PodCliqueSetTreeInput {
  /** The PodCliqueSet, defaulted (api/rules/podcliqueset/defaults.ts) and persisted (uid set). */
  pcs: PodCliqueSet;
  existing: ExistingChildren;
  topology: TopologyInput;
  /** The backend of the PodCliqueSet's scheduler (see `selectBackend`). */
  backend: SchedulerBackend;
}

/** Existing children to delete, by kind. Objects already terminating are left out. */
export interface Excess {
  /** Standalone PodCliques of removed PodCliqueSet replicas. */
  podCliques: ChildRef[];
  /** PodCliqueScalingGroups of removed replicas (their members go with them by garbage collection). */
  scalingGroups: ChildRef[];
  podGangs: ChildRef[];
  /** Headless Services of removed replicas (Grove keeps them until the PodCliqueSet is deleted, §10.10). */
  services: ChildRef[];
  hpas: ChildRef[];
  /** The legacy token Secret `<pcs>-initc-sa-token-secret`, once no pod mounts it. */
  secrets: ChildRef[];
}

export interface PodCliqueSetTree {
  /** `status.currentGenerationHash`. */
  generationHash: string;
  /** How the topology constraints resolved (for TopologyLevelsUnavailable). */
  topology: TopologyResolution;
  serviceAccount: ServiceAccount;
  role: Role;
  roleBinding: RoleBinding;
  tokenSecret: Secret;
  /** One per replica, by replica index. */
  services: Service[];
  hpas: HorizontalPodAutoscaler[];
  /** Standalone PodCliques, replica by replica, in template order. */
  podCliques: PodClique[];
  scalingGroups: PodCliqueScalingGroup[];
  /** Per replica: base gang, then scaled gangs. */
  podGangs: PodGang[];
  excess: Excess;
}

function byName<T extends { metadata?: { name?: string } }>(items: readonly T[] | undefined): Map<string, T> {
  return new Map((items ?? []).map((o) => [o.metadata?.name ?? '', o]));
}

/** Objects controlled by `uid` whose names are not wanted, not already going. */
function unwanted<T extends { metadata?: { name?: string } }>(
  items: readonly T[] | undefined,
  uid: string,
  wanted: readonly { metadata?: { name?: string } }[],
): ChildRef[] {
  const names = new Set(wanted.map((o) => o.metadata?.name));
  return (items ?? [])
    .filter((o) => isControlledBy(o, uid) && !isTerminating(o) && !names.has(o.metadata?.name))
    .map(childRef)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function mountsSecret(pod: Pod, secretName: string): boolean {
  return pod.spec?.volumes?.some((v) => v.secret?.secretName === secretName) ?? false;
}

function legacySecretExcess(pcs: PodCliqueSet, uid: string, existing: ExistingChildren): ChildRef[] {
  const legacy = legacyInitContainerTokenSecretName(requireName('PodCliqueSet', pcs));
  const secret = (existing.secrets ?? []).find((s) => s.metadata?.name === legacy && isControlledBy(s, uid) && !isTerminating(s));
  if (!secret || (existing.pods ?? []).some((p) => mountsSecret(p, legacy))) return [];
  return [childRef(secret)];
}

export function desiredPodCliqueSetTree(input: PodCliqueSetTreeInput): PodCliqueSetTree {
  const { pcs, existing, backend } = input;
  const pcsName = requireName('PodCliqueSet', pcs);
  const uid = pcs.metadata.uid ?? '';
  const topology = resolveTopology(pcs, input.topology);
  const pclqs = byName(existing.podCliques);
  const pcsgs = byName(existing.scalingGroups);
  const gangs = byName(existing.podGangs);
  const pods = podsByPodClique(existing.pods ?? []);
  const hashes = new Map(standaloneCliques(pcs).map((c) => [c.name, podTemplateHash(pcs, c.name)]));
  const { policy } = updatePolicyOf(pcs);

  const services: Service[] = [];
  const hpas: HorizontalPodAutoscaler[] = [];
  const podCliques: PodClique[] = [];
  const scalingGroups: PodCliqueScalingGroup[] = [];
  const podGangs: PodGang[] = [];
  for (let i = 0; i < pcsReplicas(pcs); i++) {
    services.push(desiredHeadlessService(pcs, i));
    hpas.push(...desiredHpas(pcs, i));
    for (const clique of standaloneCliques(pcs)) {
      const current = pclqs.get(podCliqueName(pcsName, i, clique.name));
      // Replicas below the update partition keep the template they run (api/update/freeze.ts).
      const desired = desiredStandalonePodClique(pcs, i, clique, current, hashes.get(clique.name));
      podCliques.push(withFrozenTemplate(desired, current, { policy, replica: i, member: false }));
    }
    const groupReplicas = new Map<string, number>();
    for (const config of scalingGroupConfigs(pcs)) {
      const pcsg = desiredScalingGroup(pcs, i, config, pcsgs.get(podCliqueScalingGroupName(pcsName, i, config.name)));
      scalingGroups.push(pcsg);
      // Scaled gangs follow the group's replicas as this pass applies them.
      groupReplicas.set(config.name, pcsg.spec.replicas);
    }
    for (const layout of gangLayouts(pcs, i, groupReplicas)) {
      const ctx = { pods, existing: gangs.get(layout.name), topology, backend };
      podGangs.push(desiredPodGang(pcs, layout, ctx));
    }
  }

  return {
    generationHash: generationHash(pcs),
    topology,
    serviceAccount: desiredServiceAccount(pcs),
    role: desiredRole(pcs),
    roleBinding: desiredRoleBinding(pcs),
    tokenSecret: desiredTokenSecret(pcs),
    services,
    hpas,
    podCliques,
    scalingGroups,
    podGangs,
    excess: {
      podCliques: unwanted(existing.podCliques, uid, podCliques),
      scalingGroups: unwanted(existing.scalingGroups, uid, scalingGroups),
      podGangs: unwanted(existing.podGangs, uid, podGangs),
      services: unwanted(existing.services, uid, services),
      hpas: unwanted(existing.hpas, uid, hpas),
      secrets: legacySecretExcess(pcs, uid, existing),
    },
  };
}
