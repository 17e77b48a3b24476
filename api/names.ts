// Pure naming helpers for the objects the operator creates (grove-compat §4.3–4.6). No I/O.

import { LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_PCSG, LABEL_PODCLIQUE, MANAGED_BY_VALUE } from './keys.js';

/**
 * Longest allowed `len(pcs) + len(pcsg) + len(clique)` (standalone: `len(pcs) + len(clique)`): pod
 * hostnames `<pclq>-<idx>` must fit a 63-character DNS label (grove-compat §3.3 V10/V11).
 */
export const MAX_COMBINED_NAME_LENGTH = 45;

/** `<pcs>-<i>`: PCS replica prefix; also the base PodGang and the headless Service name. */
export function pcsReplicaName(pcs: string, replica: number): string {
  return `${pcs}-${replica}`;
}

/** Standalone PodClique: `<pcs>-<i>-<clique>`. */
export function podCliqueName(pcs: string, replica: number, clique: string): string {
  return `${pcs}-${replica}-${clique}`;
}

/** PodCliqueScalingGroup: `<pcs>-<i>-<group>`. */
export function podCliqueScalingGroupName(pcs: string, replica: number, group: string): string {
  return `${pcs}-${replica}-${group}`;
}

/** PodClique of a PCSG replica: `<pcsg-fqn>-<j>-<clique>` = `<pcs>-<i>-<group>-<j>-<clique>`. */
export function pcsgPodCliqueName(pcsgFqn: string, groupReplica: number, clique: string): string {
  return `${pcsgFqn}-${groupReplica}-${clique}`;
}

/** Base PodGang of a PCS replica: `<pcs>-<i>`. */
export function basePodGangName(pcs: string, replica: number): string {
  return pcsReplicaName(pcs, replica);
}

/** Whether PodGang `name` of PodCliqueSet `pcs` is a base gang (`<pcs>-<i>`), not a scaled one (`<pcs>-<i>-<group>-<k>`). */
export function isBasePodGangName(pcs: string, name: string): boolean {
  return name.startsWith(`${pcs}-`) && /^\d+$/.test(name.slice(pcs.length + 1));
}

/**
 * Scaled PodGang for PCSG replica `j >= minAvailable`: `<pcsg-fqn>-<j - minAvailable>`.
 * Pass the scaled index `k = j - minAvailable`.
 */
export function scaledPodGangName(pcsgFqn: string, scaledIndex: number): string {
  return `${pcsgFqn}-${scaledIndex}`;
}

/** PodGang a PCSG member PodClique belongs to (grove-compat §4.6). */
export function podGangNameForPcsgReplica(
  pcs: string,
  replica: number,
  pcsgFqn: string,
  groupReplica: number,
  minAvailable: number,
): string {
  return groupReplica < minAvailable ? basePodGangName(pcs, replica) : scaledPodGangName(pcsgFqn, groupReplica - minAvailable);
}

/** Headless Service of a PCS replica: `<pcs>-<i>`. */
export function headlessServiceName(pcs: string, replica: number): string {
  return pcsReplicaName(pcs, replica);
}

/** `<pcs>-<i>.<ns>.svc.cluster.local` (GROVE_HEADLESS_SERVICE). */
export function headlessServiceFqdn(pcs: string, replica: number, namespace: string): string {
  return `${headlessServiceName(pcs, replica)}.${namespace}.svc.cluster.local`;
}

/** Pod generateName: `<pclq>-`. */
export function podGenerateName(pclq: string): string {
  return `${pclq}-`;
}

/** Pod hostname: `<pclq>-<podIndex>`. */
export function podHostname(pclq: string, podIndex: number): string {
  return `${pclq}-${podIndex}`;
}

/** HPA for a clique or group: same name as the scaled PodClique / PodCliqueScalingGroup. */
export function hpaName(targetFqn: string): string {
  return targetFqn;
}

/** ComputeDomain for MNNVL: `<pcs>-<i>-<group>`. */
export function computeDomainName(pcs: string, replica: number, mnnvlGroup: string): string {
  return `${pcs}-${replica}-${mnnvlGroup}`;
}

/** ServiceAccount used by the init container: `<pcs>`. */
export function podServiceAccountName(pcs: string): string {
  return pcs;
}

/** Role and RoleBinding: `grove.io:pcs:<pcs>`. */
export function podRoleName(pcs: string): string {
  return `grove.io:pcs:${pcs}`;
}

export const podRoleBindingName = podRoleName;

/** Service-account token Secret mounted by the init container: `<pcs>-ic-sat`. */
export function initContainerTokenSecretName(pcs: string): string {
  return `${pcs}-ic-sat`;
}

/** Legacy token Secret name, deleted once no pod mounts it: `<pcs>-initc-sa-token-secret`. */
export function legacyInitContainerTokenSecretName(pcs: string): string {
  return `${pcs}-initc-sa-token-secret`;
}

/** Value of app.kubernetes.io/name for an object name (label values cannot contain ':'). */
export function appNameLabelValue(objectName: string): string {
  return objectName.replace(/:/g, '-');
}

/** Common labels of every managed object. */
export function managedLabels(pcs: string): { [key: string]: string } {
  return { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, [LABEL_PART_OF]: pcs };
}

/** `status.hpaPodSelector` of a PodCliqueSet. */
export function pcsPodSelector(pcs: string): string {
  return `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE},${LABEL_PART_OF}=${pcs}`;
}

/** `status.hpaPodSelector` of a standalone PodClique. */
export function podCliquePodSelector(pcs: string, pclq: string): string {
  return `${pcsPodSelector(pcs)},${LABEL_PODCLIQUE}=${pclq}`;
}

/** `status.selector` of a PodCliqueScalingGroup. */
export function pcsgPodSelector(pcs: string, pcsgFqn: string): string {
  return `${pcsPodSelector(pcs)},${LABEL_PCSG}=${pcsgFqn}`;
}
