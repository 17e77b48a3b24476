// The init program's decision, pure: given the parents and the pods it has seen, is every parent
// ready, and if not, which ones is it still waiting for? A pod belongs to a parent only by its exact
// `grove.io/podclique` label and only inside the waiting pod's own PodGang (Grove matched by pod-name
// prefix, so parent `x-0-a` also counted the pods of `x-0-ab`, grove-compat §10.9).
import type { Pod } from '../api/core/wire.js';
import type { ParentRequirement } from '../api/desired/startup.js';
import { isActivePod, isPodReady } from '../api/desired/pods.js';
import { LABEL_PODCLIQUE, LABEL_PODGANG } from '../api/keys.js';

export interface ParentProgress extends ParentRequirement {
  /** Ready, non-terminating pods of this parent in the gang. */
  ready: number;
}

export interface StartupProgress {
  done: boolean;
  parents: ParentProgress[];
  /** The parents below their minimum, in argument order. */
  waitingFor: ParentProgress[];
}

export function startupProgress(parents: readonly ParentRequirement[], gang: string, pods: readonly Pod[]): StartupProgress {
  const counts = new Map<string, number>(parents.map((p) => [p.podClique, 0]));
  for (const pod of pods) {
    const labels = pod.metadata?.labels;
    const parent = labels?.[LABEL_PODCLIQUE];
    if (parent === undefined || !counts.has(parent) || labels?.[LABEL_PODGANG] !== gang) continue;
    if (isActivePod(pod) && isPodReady(pod)) counts.set(parent, (counts.get(parent) ?? 0) + 1);
  }
  const progress = parents.map((p) => ({ ...p, ready: counts.get(p.podClique) ?? 0 }));
  const waitingFor = progress.filter((p) => p.ready < p.minAvailable);
  return { done: waitingFor.length === 0, parents: progress, waitingFor };
}

/** `x-0-a 1/2 Ready, x-0-b 1/1 Ready`. */
export function describeParents(parents: readonly ParentProgress[]): string {
  return parents.map((p) => `${p.podClique} ${p.ready}/${p.minAvailable} Ready`).join(', ');
}

/** The label selector of the watch: this gang's pods of the named parents only. */
export function parentPodSelector(parents: readonly ParentRequirement[], gang: string): string {
  return `${LABEL_PODGANG}=${gang},${LABEL_PODCLIQUE} in (${parents.map((p) => p.podClique).join(',')})`;
}

/** The failure message when --timeout passes: it names each parent that never became ready. */
export function timeoutMessage(namespace: string, gang: string, progress: StartupProgress, timeout: string): string {
  const names = progress.waitingFor.map((p) => `PodClique ${namespace}/${p.podClique} has ${p.ready} of ${p.minAvailable} required pods Ready`);
  return `copse initc: timed out after ${timeout} waiting for parents in PodGang ${gang}: ${names.join('; ')}`;
}
