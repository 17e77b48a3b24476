// The scheduler-backend seam (grove-compat §6.1): the builders make a backend-neutral pod or PodGang,
// then hand it to the backend, which may set fields (schedulerName, a scheduling group), add labels and
// annotations, and append scheduling gates of its own. The builders call the backend last and never
// touch gates afterwards, so a backend's gate survives; the backend in turn must keep the gate the
// builder added (`grove.io/podgang-pending-creation`), which `preparePod` callers check.
//
// Grove's SyncPodGang (creating a scheduler-native object from the PodGang) is I/O and lives in the
// shell; `preparePodGang` is only the pure part: what the backend wants on the PodGang itself.

import type { Pod } from '../core/wire.js';
import type { PodClique, PodCliqueSet, PodGang } from '../generated/types.js';
import { SCHEDULING_GATE_PODGANG_PENDING_CREATION } from '../keys.js';
import { cliqueTemplates } from './template.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** What a backend knows about the pod it prepares. */
export interface PodContext {
  pcs: PodCliqueSet;
  podClique: PodClique;
  /** The PodGang the pod belongs to (its grove.io/podgang label). */
  podGangName: string;
  podIndex: number;
}

/** What a backend knows about the PodGang it prepares. */
export interface PodGangContext {
  pcs: PodCliqueSet;
  /** PodCliqueSet replica index of the gang. */
  replica: number;
}

/**
 * Thrown by `preparePod` when the backend cannot decide yet how the pod is to be created (for the
 * native backend: its PodGang is not in the cache). Not a failure: the caller creates nothing this
 * pass and waits for the event that makes the decision possible.
 */
export class BackendNotReadyError extends Error {}

export interface SchedulerBackend {
  /** Profile name; also the value of `grove.io/scheduler-name` on PodGangs it handles. */
  readonly name: string;
  /**
   * Called for every pod before creation, with a pod the builder owns (it may be modified and returned).
   * May set fields and append scheduling gates; must keep the gates already present.
   */
  preparePod(pod: Pod, ctx: PodContext): Pod;
  /** Called for every desired PodGang (same ownership rule). */
  preparePodGang(gang: PodGang, ctx: PodGangContext): PodGang;
}

/** Grove's `default-scheduler` profile: pods go to kube-scheduler; PodGangs are left as they are. */
export const defaultSchedulerBackend: SchedulerBackend = {
  name: DEFAULT_SCHEDULER_NAME,
  preparePod(pod) {
    return { ...pod, spec: { ...pod.spec, containers: pod.spec?.containers ?? [], schedulerName: DEFAULT_SCHEDULER_NAME } };
  },
  preparePodGang(gang) {
    return gang;
  },
};

/** Append scheduling gate `name` unless present (for backends: gates are only ever added, in order). */
export function appendSchedulingGate(pod: Pod, name: string): Pod {
  const spec = pod.spec ?? { containers: [] };
  const gates = spec.schedulingGates ?? [];
  if (gates.some((g) => g.name === name)) return pod;
  return { ...pod, spec: { ...spec, schedulingGates: [...gates, { name }] } };
}

/**
 * Check that a backend kept the gate the builder added; a backend that drops it would let pods be
 * scheduled before their gang exists, so this is a programming error, not a runtime condition.
 */
export function assertGroveGateKept(backend: SchedulerBackend, pod: Pod): void {
  if (!pod.spec?.schedulingGates?.some((g) => g.name === SCHEDULING_GATE_PODGANG_PENDING_CREATION)) {
    throw new Error(
      `scheduler backend "${backend.name}" removed the ${SCHEDULING_GATE_PODGANG_PENDING_CREATION} scheduling gate`,
    );
  }
}

/**
 * The scheduler a PodCliqueSet's pods ask for: the first non-empty clique `podSpec.schedulerName`
 * (admission makes them agree), else `defaultName`. It selects the backend and is written to
 * PodGangs as `grove.io/scheduler-name` (§4.6, §6.1).
 */
export function schedulerNameOf(pcs: PodCliqueSet, defaultName: string): string {
  return cliqueTemplates(pcs).find((c) => c.spec.podSpec.schedulerName)?.spec.podSpec.schedulerName ?? defaultName;
}

/** The backend for `pcs` among `backends`; the one named `defaultName` when its scheduler is not enabled. */
export function selectBackend(
  backends: readonly SchedulerBackend[],
  pcs: PodCliqueSet,
  defaultName: string,
): SchedulerBackend {
  const byName = (n: string): SchedulerBackend | undefined => backends.find((b) => b.name === n);
  const backend = byName(schedulerNameOf(pcs, defaultName)) ?? byName(defaultName);
  if (!backend) throw new Error(`no scheduler backend named "${defaultName}" is registered`);
  return backend;
}
