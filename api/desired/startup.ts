// Startup ordering (grove-compat §4.7): the template's clique-level order is resolved into the parent
// PodClique names each generated PodClique waits for (`spec.startsAfter`), and a pod with parents gets an
// init container that waits until every parent has minAvailable Ready pods in the pod's own gang (§4.5
// item 8). The init container only sees pods of its own PodGang, so a scaled gang waits only for
// parents inside its own scaling-group replica.
//
//   AnyOrder  no parents (template startsAfter is ignored).
//   InOrder   the clique just before it in `cliques[]`.
//   Explicit  the clique's `startsAfter`.
// In the base gang (standalone cliques, scaling-group replicas j < minAvailable) a parent that is a group
// member expands to all its base replicas `<pcs>-<i>-<g>-<0..M-1>-<parent>`; in a scaled gang (j >= M)
// only parents in the same group count, as `<pcsg>-<j>-<parent>`.

import type { V1Container, V1PodSpec, V1Volume } from '../core/wire.js';
import type { PodCliqueSet, PodCliqueTemplateSpec } from '../generated/types.js';
import {
  INIT_CONTAINER_NAME,
  LABEL_PODGANG,
  POD_INFO_MOUNT_PATH,
  SA_TOKEN_MOUNT_PATH,
  VOLUME_POD_INFO,
  VOLUME_SA_TOKEN_SECRET,
} from '../keys.js';
import { initContainerTokenSecretName, podCliqueName, podCliqueScalingGroupName, pcsgPodCliqueName } from '../names.js';
import {
  cliqueMinAvailable,
  cliqueTemplates,
  findClique,
  groupMinAvailable,
  groupOfClique,
  locatePodCliqueName,
  startupType,
} from './template.js';

/** The clique names a clique waits for, before expansion into PodClique names. */
function parentCliqueNames(pcs: PodCliqueSet, clique: PodCliqueTemplateSpec): string[] {
  switch (startupType(pcs)) {
    case 'CliqueStartupTypeInOrder': {
      const all = cliqueTemplates(pcs);
      const i = all.findIndex((c) => c.name === clique.name);
      const previous = i > 0 ? all[i - 1] : undefined;
      return previous ? [previous.name] : [];
    }
    case 'CliqueStartupTypeExplicit':
      return clique.spec.startsAfter ?? [];
    default:
      return [];
  }
}

/**
 * `spec.startsAfter` of the PodClique for `cliqueName` in PodCliqueSet replica `replica`; for a group
 * member pass its group replica index `groupReplica`.
 */
export function resolveStartsAfter(
  pcs: PodCliqueSet,
  replica: number,
  cliqueName: string,
  groupReplica?: number,
): string[] {
  const clique = findClique(pcs, cliqueName);
  if (!clique) throw new Error(`spec.template.cliques: clique "${cliqueName}" is not defined`);
  const pcsName = pcs.metadata.name ?? '';
  const group = groupOfClique(pcs, cliqueName);
  const scaled = group !== undefined && groupReplica !== undefined && groupReplica >= groupMinAvailable(group);
  const out: string[] = [];
  for (const parent of parentCliqueNames(pcs, clique)) {
    const parentGroup = groupOfClique(pcs, parent);
    if (scaled) {
      // Only a parent in the same scaling-group replica is in this gang.
      if (parentGroup === group) {
        out.push(pcsgPodCliqueName(podCliqueScalingGroupName(pcsName, replica, group.name), groupReplica, parent));
      }
    } else if (parentGroup) {
      const pcsgFqn = podCliqueScalingGroupName(pcsName, replica, parentGroup.name);
      for (let j = 0; j < groupMinAvailable(parentGroup); j++) out.push(pcsgPodCliqueName(pcsgFqn, j, parent));
    } else {
      out.push(podCliqueName(pcsName, replica, parent));
    }
  }
  return [...new Set(out)];
}

/** The init container's image and command; copse runs `copse initc`, the shell decides how. */
export interface InitContainerConfig {
  image: string;
  command: string[];
}

/**
 * `--podcliques=<parent>:<minAvailable>` per parent, in `startsAfter` order. The parent's template is
 * found by exact name (Grove's suffix match can pick the wrong clique, §10.9); an unknown parent is an
 * Error naming the field.
 */
export function initContainerArgs(pcs: PodCliqueSet, startsAfter: readonly string[]): string[] {
  return startsAfter.map((parent, i) => {
    const where = locatePodCliqueName(pcs, parent);
    if (!where) throw new Error(`spec.startsAfter[${i}]: "${parent}" is not a PodClique of PodCliqueSet "${pcs.metadata.name ?? ''}"`);
    return `--podcliques=${parent}:${cliqueMinAvailable(where.clique)}`;
  });
}

/** The volumes the init container reads: the token Secret and the pod's namespace and gang (downward API). */
export function initContainerVolumes(pcsName: string): V1Volume[] {
  return [
    { name: VOLUME_SA_TOKEN_SECRET, secret: { secretName: initContainerTokenSecretName(pcsName), defaultMode: 420 } },
    {
      name: VOLUME_POD_INFO,
      downwardAPI: {
        items: [
          { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
          { path: 'podgangname', fieldRef: { fieldPath: `metadata.labels['${LABEL_PODGANG}']` } },
        ],
      },
    },
  ];
}

export function initContainer(pcs: PodCliqueSet, startsAfter: readonly string[], config: InitContainerConfig): V1Container {
  return {
    name: INIT_CONTAINER_NAME,
    image: config.image,
    command: [...config.command],
    args: initContainerArgs(pcs, startsAfter),
    volumeMounts: [
      { name: VOLUME_POD_INFO, mountPath: POD_INFO_MOUNT_PATH, readOnly: true },
      { name: VOLUME_SA_TOKEN_SECRET, mountPath: SA_TOKEN_MOUNT_PATH, readOnly: true },
    ],
  };
}

/**
 * `podSpec` with the startup wait added: the two volumes and the init container last among the init
 * containers, so the user's init containers run first. Unchanged when there are no parents.
 */
export function withStartupWait(
  podSpec: V1PodSpec,
  pcs: PodCliqueSet,
  startsAfter: readonly string[],
  config: InitContainerConfig,
): V1PodSpec {
  if (startsAfter.length === 0) return podSpec;
  return {
    ...podSpec,
    volumes: [...(podSpec.volumes ?? []), ...initContainerVolumes(pcs.metadata.name ?? '')],
    initContainers: [...(podSpec.initContainers ?? []), initContainer(pcs, startsAfter, config)],
  };
}
