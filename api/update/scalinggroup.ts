// The rolling update of one PodCliqueScalingGroup (grove-compat §4.8), a pure step: which group
// replicas to recreate now (their member PodCliques are deleted; the group controller makes them again
// from the new template) and what status.updateProgress says.
//
// Grove's rules, kept:
// - Only while the PodCliqueSet is updating the group's replica. Outdated group replicas are those
//   with a member PodClique on an older template hash (members keep their template until recreated,
//   see api/update/freeze.ts).
// - Outdated replicas that are Pending (a member below minAvailable scheduled) or Unavailable (a member
//   below minAvailable Ready) are recreated at once.
// - Ready ones one at a time, lowest index first, recorded in readyReplicaIndicesSelectedToUpdate,
//   only while availableReplicas >= minAvailable; the next waits until the last one is back, updated.
// - End: no outdated or terminating member left and the last selected replica updated:
//   updateEndedAt = now, selection cleared.
// - OnDelete: a new generation records progress that has already ended; nothing is deleted.
// copse: `coherent` recreates every outdated replica at once.
import { isTerminating, requireName } from '../desired/meta.js';
import type { PodClique, PodCliqueScalingGroup, PodCliqueScalingGroupUpdateProgress, UpdateStrategyType } from '../generated/types.js';
import { LABEL_PCSG, LABEL_PCSG_REPLICA_INDEX, LABEL_POD_TEMPLATE_HASH } from '../keys.js';
import { pcsgPodCliqueName } from '../names.js';
import { expectedHash } from '../status/podclique.js';
import { groupReplicaState, scalingGroupMinAvailable } from '../status/scalinggroup.js';

export interface ScalingGroupUpdateInput {
  pcsg: PodCliqueScalingGroup;
  /** Member PodCliques (terminating ones included). */
  members: readonly PodClique[];
  /** Pod template hash per template clique name, as the PodCliqueSet's spec says now. */
  expectedPodTemplateHashes: Readonly<Record<string, string>>;
  pcsGenerationHash: string | undefined;
  strategy: UpdateStrategyType;
  replicaBeingUpdated: boolean;
  coherent: boolean;
  now: string;
}

export interface ScalingGroupUpdateStep {
  progress: PodCliqueScalingGroupUpdateProgress | undefined;
  inProgress: boolean;
  /** Group replica indices to recreate now, in order. */
  recreate: number[];
  /** Their member PodCliques (not already terminating), in order. */
  delete: PodClique[];
  waiting?: string;
}

export function scalingGroupUpdateStep(input: ScalingGroupUpdateInput): ScalingGroupUpdateStep {
  const { pcsg, pcsGenerationHash, now, expectedPodTemplateHashes: hashes } = input;
  const previous = pcsg.status?.updateProgress;
  const keep: ScalingGroupUpdateStep = { progress: previous, inProgress: false, recreate: [], delete: [] };
  if (pcsGenerationHash === undefined) return keep;
  const name = requireName('PodCliqueScalingGroup', pcsg);
  const members = input.members.filter((m) => m.metadata.labels?.[LABEL_PCSG] === name);
  const live = new Map(members.filter((m) => !isTerminating(m)).map((m) => [m.metadata.name ?? '', m]));
  const total = pcsg.spec.replicas * pcsg.spec.cliqueNames.length;
  const fresh = previous?.podCliqueSetGenerationHash !== pcsGenerationHash;

  if (input.strategy === 'OnDelete') {
    if (!fresh) return keep;
    return { ...keep, progress: { updateStartedAt: now, updateEndedAt: now, podCliqueSetGenerationHash: pcsGenerationHash, totalPodCliquesCount: total } };
  }
  if (!input.replicaBeingUpdated) return keep;

  let progress: PodCliqueScalingGroupUpdateProgress = fresh
    ? { updateStartedAt: now, podCliqueSetGenerationHash: pcsGenerationHash }
    : (previous as PodCliqueScalingGroupUpdateProgress);
  const states = Array.from({ length: pcsg.spec.replicas }, (_, j) => groupReplicaState(pcsg, live, j, hashes, pcsGenerationHash));
  const updatedMembers = [...live.values()].filter((m) => {
    const clique = pcsg.spec.cliqueNames.find((c) => m.metadata.name === pcsgPodCliqueName(name, Number(m.metadata.labels?.[LABEL_PCSG_REPLICA_INDEX] ?? -1), c));
    return clique !== undefined && m.metadata.labels?.[LABEL_POD_TEMPLATE_HASH] === expectedHash(hashes, clique) && m.status?.currentPodTemplateHash === expectedHash(hashes, clique);
  }).length;
  progress = { ...progress, updatedPodCliquesCount: updatedMembers, totalPodCliquesCount: total };
  if (progress.updateEndedAt !== undefined) return { ...keep, progress };

  const membersOf = (j: number): PodClique[] =>
    pcsg.spec.cliqueNames.flatMap((c) => {
      const m = live.get(pcsgPodCliqueName(name, j, c));
      return m ? [m] : [];
    });
  const isOutdated = (j: number): boolean =>
    pcsg.spec.cliqueNames.some((c) => {
      const m = live.get(pcsgPodCliqueName(name, j, c));
      return m !== undefined && m.metadata.labels?.[LABEL_POD_TEMPLATE_HASH] !== expectedHash(hashes, c);
    });
  const outdated = states.filter((s) => isOutdated(s.index));
  const terminating = members.some(isTerminating);
  const selected = progress.readyReplicaIndicesSelectedToUpdate;
  const selectedDone = selected === undefined || states[selected.current]?.updated === true || selected.current >= pcsg.spec.replicas;
  if (outdated.length === 0 && !terminating && selectedDone) {
    const { readyReplicaIndicesSelectedToUpdate: _done, ...rest } = progress;
    return { progress: { ...rest, updateEndedAt: now }, inProgress: false, recreate: [], delete: [] };
  }
  const out = (recreate: number[], waiting?: string): ScalingGroupUpdateStep => ({
    progress,
    inProgress: true,
    recreate,
    delete: recreate.flatMap(membersOf),
    ...(waiting ? { waiting } : {}),
  });
  if (input.coherent) return out(outdated.map((s) => s.index));

  const unhealthy = outdated.filter((s) => !s.available).map((s) => s.index);
  const readyOld = outdated.filter((s) => s.available).map((s) => s.index);
  if (readyOld.length === 0) return out(unhealthy, 'no available outdated replica left; the others go at once');
  if (!selectedDone) {
    // Recorded before its members were deleted: still outdated means the delete never happened.
    const again = selected !== undefined && isOutdated(selected.current) && !unhealthy.includes(selected.current) ? [selected.current] : [];
    return out([...unhealthy, ...again], `waiting for replica ${selected?.current ?? ''} to come back updated`);
  }
  const available = states.filter((s) => s.available).length;
  const min = scalingGroupMinAvailable(pcsg);
  if (available < min) return out(unhealthy, `waiting for ${min} available replicas (minAvailable), ${available} so far`);
  const next = readyOld[0] as number;
  progress = {
    ...progress,
    readyReplicaIndicesSelectedToUpdate: { current: next, ...(selected ? { completed: [...(selected.completed ?? []), selected.current] } : {}) },
  };
  return out([...unhealthy, next]);
}
