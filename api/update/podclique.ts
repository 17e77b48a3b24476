// The rolling update of one standalone PodClique (grove-compat §4.8), a pure step: given the pods and
// the progress so far, which pods to delete now and what status.updateProgress says.
//
// Grove's rules, kept:
// - Only while the PodCliqueSet is updating this PodClique's replica; the PodClique's spec (and its
//   grove.io/pod-template-hash label) already carries the new template, so replacements get it.
// - Start: updateProgress {updateStartedAt, podCliqueSetGenerationHash, podTemplateHash}.
// - Each pass, at once: every outdated pod that is not Ready (pending, starting, failing).
// - Then one Ready outdated pod at a time, the oldest first, recorded in readyPodsSelectedToUpdate
//   (the previous one moves to `completed`), and only when the clique has minAvailable Ready pods;
//   the next waits until the last one is gone and its replacement is Ready (copse: until the PodClique
//   is whole again, see below; Grove counts new Ready pods against the number replaced).
//   Delete first, no surge (RU10: with no room, exactly one pod is gone and its replacement pends).
//   The shell writes the selection before it deletes, so a restart between the two deletes the
//   recorded pod rather than choosing another.
// - End: no outdated pod left (terminating ones included): updateEndedAt = now, selection cleared.
// - OnDelete: a new generation records progress that has already ended; nothing is deleted.
// copse: `coherent` deletes every outdated pod at once (see api/rules/update-policy.ts).
import type { Pod } from '../core/wire.js';
import { isTerminating } from '../desired/meta.js';
import { isActivePod, isPodReady } from '../desired/pods.js';
import type { PodClique, PodCliqueUpdateProgress, UpdateStrategyType } from '../generated/types.js';
import { LABEL_POD_TEMPLATE_HASH } from '../keys.js';

export interface PodCliqueUpdateInput {
  pclq: PodClique;
  /** The PodClique's pods. */
  pods: readonly Pod[];
  /** The template hash the PodClique should run (its template clique's hash in the PodCliqueSet now). */
  expectedHash: string;
  /** The PodCliqueSet's currentGenerationHash; nothing happens until it has one. */
  pcsGenerationHash: string | undefined;
  strategy: UpdateStrategyType;
  /** The PodCliqueSet lists this PodClique's replica in updateProgress.currentlyUpdating. */
  replicaBeingUpdated: boolean;
  coherent: boolean;
  now: string;
}

export interface PodCliqueUpdateStep {
  /** status.updateProgress after this pass. */
  progress: PodCliqueUpdateProgress | undefined;
  /** An automatic update runs on this PodClique (MinAvailableBreached is Unknown meanwhile). */
  inProgress: boolean;
  /** Pods to delete now, in order. */
  delete: Pod[];
  /** Why nothing more is deleted now, for logs and tests. */
  waiting?: string;
}

const hashOf = (o: { metadata?: { labels?: Record<string, string> } }): string | undefined => o.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH];

function byAge(a: Pod, b: Pod): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

export function podCliqueUpdateStep(input: PodCliqueUpdateInput): PodCliqueUpdateStep {
  const { pclq, expectedHash, pcsGenerationHash, now } = input;
  const previous = pclq.status?.updateProgress;
  const keep: PodCliqueUpdateStep = { progress: previous, inProgress: false, delete: [] };
  if (pcsGenerationHash === undefined) return keep;
  // The spec has not caught up with the template yet (or the replica is held back by a partition): no
  // update can start on it, for replacements would get the old template.
  if (hashOf(pclq) !== expectedHash) return keep;
  const fresh = previous?.podCliqueSetGenerationHash !== pcsGenerationHash || previous.podTemplateHash !== expectedHash;

  if (input.strategy === 'OnDelete') {
    if (!fresh) return keep;
    return { progress: { updateStartedAt: now, updateEndedAt: now, podCliqueSetGenerationHash: pcsGenerationHash, podTemplateHash: expectedHash }, inProgress: false, delete: [] };
  }
  if (!input.replicaBeingUpdated) return keep;

  let progress: PodCliqueUpdateProgress = fresh
    ? { updateStartedAt: now, podCliqueSetGenerationHash: pcsGenerationHash, podTemplateHash: expectedHash }
    : (previous as PodCliqueUpdateProgress);
  if (progress.updateEndedAt !== undefined) return { progress, inProgress: false, delete: [] };

  const outdated = input.pods.filter((p) => hashOf(p) !== expectedHash);
  const outdatedActive = outdated.filter(isActivePod);
  if (outdatedActive.length === 0 && !outdated.some(isTerminating)) {
    const { readyPodsSelectedToUpdate: _done, ...rest } = progress;
    return { progress: { ...rest, updateEndedAt: now }, inProgress: false, delete: [] };
  }
  if (input.coherent) return { progress, inProgress: true, delete: [...outdatedActive].sort(byAge) };

  const notReady = outdatedActive.filter((p) => !isPodReady(p)).sort(byAge);
  const readyOld = outdatedActive.filter(isPodReady).sort(byAge);
  const step = (waiting: string, extra: Pod[] = []): PodCliqueUpdateStep => ({ progress, inProgress: true, delete: [...notReady, ...extra], waiting });
  if (readyOld.length === 0) return step('no Ready outdated pod left; the others go at once');

  const selected = progress.readyPodsSelectedToUpdate;
  const going = outdated.filter(isTerminating).map((p) => p.metadata?.name ?? '').sort();
  // One at a time: nothing new is chosen while a replaced pod is still terminating.
  if (going.length > 0 && !going.includes(selected?.current ?? '')) return step(`waiting for ${going.join(', ')} to be gone`);
  const selectedPod = selected ? input.pods.find((p) => p.metadata?.name === selected.current) : undefined;
  if (selectedPod) {
    // The shell records a selection before deleting it: a selection still active was never deleted
    // (a crash in between), so it is deleted now; one already terminating is waited for.
    const again = isActivePod(selectedPod) && hashOf(selectedPod) !== expectedHash && !notReady.includes(selectedPod) ? [selectedPod] : [];
    return step(`waiting for ${selected?.current ?? ''} to be gone`, again);
  }
  if (selected) {
    // The last one replaced is back only when the PodClique is whole again: spec.replicas active pods,
    // every one Ready. Grove counts new-template Ready pods against the number replaced instead, which
    // goes wrong both ways when the PodClique is scaled during the update: pods a scale-out added
    // stand in for the missing replacement (RU18: a second pod deleted while the first replacement
    // still starts), and a replacement a scale-in took away is waited for forever (RU20).
    const active = input.pods.filter(isActivePod);
    const readyNow = active.filter(isPodReady).length;
    if (active.length < pclq.spec.replicas || readyNow < active.length) {
      return step(`waiting for ${selected.current}'s replacement: ${readyNow} of ${pclq.spec.replicas} pods Ready`);
    }
  }
  const ready = input.pods.filter((p) => isActivePod(p) && isPodReady(p)).length;
  const min = pclq.spec.minAvailable ?? pclq.spec.replicas;
  if (ready < min) return step(`waiting for ${min} Ready pods (minAvailable), ${ready} so far`);

  const next = readyOld[0] as Pod;
  progress = {
    ...progress,
    readyPodsSelectedToUpdate: {
      current: next.metadata?.name ?? '',
      ...(selected ? { completed: [...(selected.completed ?? []), selected.current] } : {}),
    },
  };
  return { progress, inProgress: true, delete: [...notReady, next] };
}
