// Fixture builders for status tests (here and in the controllers that call api/status): short,
// explicit objects with only the fields the status computations read.

import type { Pod } from '../core/wire.js';
import type {
  PodClique,
  PodCliqueScalingGroup,
  PodCliqueScalingGroupStatus,
  PodCliqueSet,
  PodCliqueStatus,
  PodGang,
  PodGangStatus,
  PodGroup,
} from '../generated/types.js';
import {
  LABEL_BASE_PODGANG,
  LABEL_MANAGED_BY,
  LABEL_PART_OF,
  LABEL_PCS_REPLICA_INDEX,
  LABEL_PCSG,
  LABEL_PCSG_REPLICA_INDEX,
  LABEL_POD_TEMPLATE_HASH,
  LABEL_PODCLIQUE,
  LABEL_PODGANG,
  MANAGED_BY_VALUE,
  SCHEDULING_GATE_PODGANG_PENDING_CREATION,
} from '../keys.js';

export const T0 = '2025-01-01T00:00:00Z';
export const T1 = '2025-01-01T00:01:00Z';
export const T2 = '2025-01-01T00:02:00Z';

export interface PodOptions {
  pcs?: string;
  gang?: string;
  hash?: string;
  /** Bound (PodScheduled=True, nodeName set). */
  scheduled?: boolean;
  ready?: boolean;
  /** Scheduling gates in the spec; PodScheduled=False/SchedulingGated when any and not scheduled. */
  gates?: string[];
  terminating?: boolean;
  phase?: string;
  /** PodScheduled=False/Unschedulable with this message. */
  unschedulable?: string;
}

function podConditions(o: PodOptions): { type: string; status: string; reason?: string; message?: string }[] {
  const conditions: { type: string; status: string; reason?: string; message?: string }[] = [];
  if (o.scheduled) conditions.push({ type: 'PodScheduled', status: 'True' });
  else if ((o.gates ?? []).length > 0) conditions.push({ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' });
  else if (o.unschedulable) {
    conditions.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: o.unschedulable });
  }
  if (o.ready !== undefined) conditions.push({ type: 'Ready', status: o.ready ? 'True' : 'False' });
  return conditions;
}

/** A pod of PodClique `pclq`. Defaults: pcs `pcs`, hash `h1`, Pending, not scheduled. */
export function pod(name: string, pclq: string, o: PodOptions = {}): Pod {
  const gates = o.gates ?? [];
  const labels: { [k: string]: string } = {
    [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
    [LABEL_PART_OF]: o.pcs ?? 'pcs',
    [LABEL_PODCLIQUE]: pclq,
    [LABEL_POD_TEMPLATE_HASH]: o.hash ?? 'h1',
  };
  if (o.gang) labels[LABEL_PODGANG] = o.gang;
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels,
      ...(o.terminating ? { deletionTimestamp: T0 } : {}),
    },
    spec: {
      containers: [{ name: 'main', image: 'busybox' }],
      ...(gates.length > 0 ? { schedulingGates: gates.map((g) => ({ name: g })) } : {}),
      ...(o.scheduled ? { nodeName: 'node-1' } : {}),
    },
    status: { phase: o.phase ?? (o.ready ? 'Running' : 'Pending'), conditions: podConditions(o) },
  };
}

/** `n` pods `<pclq>-0..n-1` with the same options. */
export function pods(pclq: string, n: number, o: PodOptions = {}, from = 0): Pod[] {
  return Array.from({ length: n }, (_, i) => pod(`${pclq}-${from + i}`, pclq, o));
}

/** A gated pod as the PodClique controller creates it. */
export function gatedPod(name: string, pclq: string, gang: string, extraGates: string[] = []): Pod {
  return pod(name, pclq, { gang, gates: [SCHEDULING_GATE_PODGANG_PENDING_CREATION, ...extraGates] });
}

export interface PodCliqueOptions {
  pcs?: string;
  pcsIndex?: number;
  replicas?: number;
  minAvailable?: number;
  generation?: number;
  hash?: string;
  gang?: string;
  baseGang?: string;
  pcsg?: string;
  pcsgIndex?: number;
  terminating?: boolean;
  status?: Partial<PodCliqueStatus>;
}

/** A PodClique. Defaults: pcs `pcs`, replica 0, replicas 1, minAvailable = replicas, hash `h1`. */
export function podClique(name: string, o: PodCliqueOptions = {}): PodClique {
  const labels: { [k: string]: string } = {
    [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
    [LABEL_PART_OF]: o.pcs ?? 'pcs',
    [LABEL_PCS_REPLICA_INDEX]: String(o.pcsIndex ?? 0),
    [LABEL_POD_TEMPLATE_HASH]: o.hash ?? 'h1',
  };
  if (o.gang) labels[LABEL_PODGANG] = o.gang;
  if (o.baseGang) labels[LABEL_BASE_PODGANG] = o.baseGang;
  if (o.pcsg) labels[LABEL_PCSG] = o.pcsg;
  if (o.pcsgIndex !== undefined) labels[LABEL_PCSG_REPLICA_INDEX] = String(o.pcsgIndex);
  const replicas = o.replicas ?? 1;
  return {
    metadata: {
      name,
      namespace: 'ns',
      generation: o.generation ?? 1,
      labels,
      ...(o.terminating ? { deletionTimestamp: T0 } : {}),
    },
    spec: {
      roleName: name,
      replicas,
      minAvailable: o.minAvailable ?? replicas,
      podSpec: { containers: [{ name: 'main', image: 'busybox' }] },
    },
    ...(o.status
      ? {
          status: {
            readyReplicas: 0,
            updatedReplicas: 0,
            scheduleGatedReplicas: 0,
            scheduledReplicas: 0,
            ...o.status,
          },
        }
      : {}),
  };
}

/** A PodClique whose status says it is scheduled, ready and updated to `hash` / generation `gen`. */
export function healthyPodClique(name: string, o: PodCliqueOptions & { gen?: string } = {}): PodClique {
  const replicas = o.replicas ?? 1;
  return podClique(name, {
    ...o,
    status: {
      replicas,
      readyReplicas: replicas,
      scheduledReplicas: replicas,
      updatedReplicas: replicas,
      currentPodTemplateHash: o.hash ?? 'h1',
      currentPodCliqueSetGenerationHash: o.gen ?? 'g1',
      conditions: [
        { type: 'MinAvailableBreached', status: 'False', reason: 'SufficientReadyPods', message: '', lastTransitionTime: T0 },
      ],
      ...o.status,
    },
  });
}

export interface ScalingGroupOptions {
  pcs?: string;
  pcsIndex?: number;
  replicas?: number;
  minAvailable?: number;
  cliqueNames?: string[];
  generation?: number;
  terminating?: boolean;
  status?: Partial<PodCliqueScalingGroupStatus>;
}

/** A PodCliqueScalingGroup. Defaults: pcs `pcs`, replica 0, replicas 2, minAvailable 1, cliques [b, c]. */
export function scalingGroup(name: string, o: ScalingGroupOptions = {}): PodCliqueScalingGroup {
  return {
    metadata: {
      name,
      namespace: 'ns',
      generation: o.generation ?? 1,
      labels: {
        [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
        [LABEL_PART_OF]: o.pcs ?? 'pcs',
        [LABEL_PCS_REPLICA_INDEX]: String(o.pcsIndex ?? 0),
      },
      ...(o.terminating ? { deletionTimestamp: T0 } : {}),
    },
    spec: { replicas: o.replicas ?? 2, minAvailable: o.minAvailable ?? 1, cliqueNames: o.cliqueNames ?? ['b', 'c'] },
    ...(o.status
      ? { status: { scheduledReplicas: 0, availableReplicas: 0, updatedReplicas: 0, ...o.status } }
      : {}),
  };
}

/** A PodGang with the given pod groups. */
export function podGang(
  name: string,
  podgroups: { name: string; minReplicas: number; pods?: string[] }[],
  o: { pcs?: string; pcsIndex?: number; terminating?: boolean; status?: PodGangStatus } = {},
): PodGang {
  const groups: PodGroup[] = podgroups.map((g) => ({
    name: g.name,
    minReplicas: g.minReplicas,
    podReferences: [...(g.pods ?? [])].sort().map((p) => ({ namespace: 'ns', name: p })),
  }));
  return {
    metadata: {
      name,
      namespace: 'ns',
      generation: 1,
      labels: {
        [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
        [LABEL_PART_OF]: o.pcs ?? 'pcs',
        [LABEL_PCS_REPLICA_INDEX]: String(o.pcsIndex ?? 0),
      },
      ...(o.terminating ? { deletionTimestamp: T0 } : {}),
    },
    spec: { podgroups: groups },
    ...(o.status ? { status: o.status } : {}),
  };
}

/** A minimal, defaulted PodCliqueSet with the given cliques and scaling groups. */
export function podCliqueSet(
  name: string,
  o: {
    replicas?: number;
    generation?: number;
    cliques?: { name: string; replicas?: number; minAvailable?: number }[];
    groups?: { name: string; cliqueNames: string[]; replicas?: number; minAvailable?: number }[];
  } = {},
): PodCliqueSet {
  return {
    metadata: { name, namespace: 'ns', generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas ?? 1,
      template: {
        cliques: (o.cliques ?? [{ name: 'a' }]).map((c) => ({
          name: c.name,
          spec: {
            roleName: c.name,
            replicas: c.replicas ?? 1,
            minAvailable: c.minAvailable ?? c.replicas ?? 1,
            podSpec: { containers: [{ name: 'main', image: 'busybox' }] },
          },
        })),
        podCliqueScalingGroups: (o.groups ?? []).map((g) => ({
          name: g.name,
          cliqueNames: g.cliqueNames,
          replicas: g.replicas ?? 1,
          minAvailable: g.minAvailable ?? 1,
        })),
      },
    },
  };
}
