// Pods of a PodClique (grove-compat §4.5). A pod is born gated (`grove.io/podgang-pending-creation`)
// so it cannot be scheduled before its PodGang references it; it gets a stable hostname
// `<pclq>-<idx>` under the replica's headless Service, the GROVE_* variables, and, when its PodClique
// has parents, the marks that make the startup webhook inject the init container that waits for them
// (api/desired/startup.ts). The scheduler backend prepares it last.

import type { Pod } from '../core/wire.js';
import type { PodClique, PodCliqueSet } from '../generated/types.js';
import {
  ANNOTATION_STARTS_AFTER,
  ANNOTATION_TEMPLATE_REPLICAS,
  LABEL_PCS_REPLICA_INDEX,
  LABEL_PODCLIQUE,
  LABEL_PODCLIQUE_POD_INDEX,
  LABEL_PODGANG,
  LABEL_STARTUP_WAIT,
  SCHEDULING_GATE_PODGANG_PENDING_CREATION,
} from '../keys.js';
import { headlessServiceName, managedLabels, podGenerateName, podHostname } from '../names.js';
import { type SchedulerBackend, assertGroveGateKept } from './backend.js';
import { podEnv, prependEnv } from './env.js';
import { controllerRef, requireName, requireNamespace, withoutKeys } from './meta.js';
import { freePodIndices } from './podscaling.js';
import { startupParents, startupWaitMarks } from './startup.js';

/** What the shell decides for every pod. */
export interface PodBuildConfig {
  backend: SchedulerBackend;
}

function requireLabel(pclq: PodClique, key: string): string {
  const v = pclq.metadata.labels?.[key];
  if (v === undefined || v === '') throw new Error(`PodClique ${pclq.metadata.name ?? ''}: metadata.labels["${key}"] is required`);
  return v;
}

/** The pod with index `podIndex` of `pclq` (a generated PodClique, as the PCS/PCSG controllers build it). */
export function desiredPod(pclq: PodClique, pcs: PodCliqueSet, podIndex: number, config: PodBuildConfig): Pod {
  const pcsName = requireName('PodCliqueSet', pcs);
  const name = requireName('PodClique', pclq);
  const namespace = requireNamespace('PodClique', pclq);
  const replicaLabel = requireLabel(pclq, LABEL_PCS_REPLICA_INDEX);
  const replica = Number(replicaLabel);
  const podGangName = requireLabel(pclq, LABEL_PODGANG);

  let spec = structuredClone(pclq.spec.podSpec);
  // Grove replaces any gates of the template: the pod is released by its gang, nothing else of the
  // template's. Backends append theirs below.
  spec.schedulingGates = [{ name: SCHEDULING_GATE_PODGANG_PENDING_CREATION }];
  spec.hostname = podHostname(name, podIndex);
  spec.subdomain = headlessServiceName(pcsName, replica);
  spec = prependEnv(spec, podEnv(pcsName, replica, name, namespace));
  const startupWait = startupWaitMarks(startupParents(pcs, pclq.spec.startsAfter ?? []));

  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: podGenerateName(name),
      namespace,
      labels: {
        ...managedLabels(pcsName),
        // Only the builder decides whether a pod waits: inherited startup keys are dropped.
        ...withoutKeys(pclq.metadata.labels, (k) => k === LABEL_STARTUP_WAIT),
        [LABEL_PODCLIQUE]: name,
        [LABEL_PCS_REPLICA_INDEX]: replicaLabel,
        [LABEL_PODGANG]: podGangName,
        [LABEL_PODCLIQUE_POD_INDEX]: String(podIndex),
        ...startupWait?.labels,
      },
      // The PodClique's bookkeeping annotation is about the PodClique, not its pods.
      annotations: { ...withoutKeys(pclq.metadata.annotations, (k) => k === ANNOTATION_TEMPLATE_REPLICAS || k === ANNOTATION_STARTS_AFTER), ...startupWait?.annotations },
      ownerReferences: [controllerRef('PodClique', pclq)],
    },
    spec,
  };
  const prepared = config.backend.preparePod(pod, { pcs, podClique: pclq, podGangName, podIndex });
  assertGroveGateKept(config.backend, prepared);
  return prepared;
}

/**
 * The next `count` pods to create for `pclq`, on the lowest indices no active pod of `existingPods` (the
 * PodClique's pods) holds. `count` is the shell's choice: usually `missingPodCount`, cut to a slow-start batch.
 */
export function desiredPodsToCreate(
  pclq: PodClique,
  pcs: PodCliqueSet,
  existingPods: readonly Pod[],
  count: number,
  config: PodBuildConfig,
): Pod[] {
  return freePodIndices(existingPods, count).map((i) => desiredPod(pclq, pcs, i, config));
}
