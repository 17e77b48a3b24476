// PodCliqueSet status (grove-compat §4.9): replica counts over its children, the update counters,
// the selector, the status of each of its PodGangs and the TopologyLevelsUnavailable condition.
//
// Differences from Grove, on purpose (§10.11):
// - status.replicas counts the PodCliqueSet replicas that exist (an index with at least one
//   non-terminating child PodClique or PodCliqueScalingGroup), not a mirror of spec.replicas.
// - status.podGangStatuses is populated: name, phase and conditions of each PodGang, copied from the
//   PodGang's own status (see podgang.ts), ordered by name with numbers compared as numbers.
// - The updateProgress counters are always present (the printer columns show them), not only while
//   an update runs; the other updateProgress fields belong to the rolling-update orchestration and
//   are carried over unchanged.
// Children are matched by their exact generated names, never by suffix (§10.9).

import { podTemplateHash } from '../desired/hash.js';
import { isTerminating, requireName } from '../desired/meta.js';
import { cliqueTemplates, pcsReplicas, scalingGroupConfigs, standaloneCliques } from '../desired/template.js';
import type { TopologyInput } from '../desired/topology.js';
import type {
  Condition,
  LastError,
  PCSPodGangStatus,
  PodClique,
  PodCliqueScalingGroup,
  PodCliqueSet,
  PodCliqueSetStatus,
  PodCliqueSetUpdateProgress,
  PodGang,
  PodGangPhase,
} from '../generated/types.js';
import { PODGANG_PHASES } from '../grove.io/v1alpha1/podcliqueset.js';
import { CONDITION_GANG_TERMINATION_PENDING, CONDITION_PODGANGS_SCHEDULED, CONDITION_TOPOLOGY_LEVELS_UNAVAILABLE, LABEL_PART_OF, LABEL_PCS_REPLICA_INDEX, PODGANG_CONDITION_SCHEDULED } from '../keys.js';
import { podCliqueName, podCliqueScalingGroupName, pcsPodSelector } from '../names.js';
import { conditionTransition, findCondition, mergeConditions, type DesiredCondition } from './conditions.js';
import { EVENT_TOPOLOGY_LEVELS_UNAVAILABLE, type StatusEvent, availabilityEvents } from './events.js';
import { dropUndefined, indexLabel, labelOf, statusChanged } from './objects.js';
import { expectedHash, isPodCliqueUpdated, podCliqueMinAvailable } from './podclique.js';
import { scalingGroupMinAvailable } from './scalinggroup.js';
import { topologyLevelsUnavailableCondition } from './topology.js';

export interface PodCliqueSetStatusInput {
  pcs: PodCliqueSet;
  /** PodCliques of this PodCliqueSet (label app.kubernetes.io/part-of), standalone and group members. */
  pclqs: readonly PodClique[];
  /** PodCliqueScalingGroups of this PodCliqueSet. */
  pcsgs: readonly PodCliqueScalingGroup[];
  /** PodGangs of this PodCliqueSet. */
  podGangs: readonly PodGang[];
  /** Expected pod template hash per standalone clique, keyed by template clique name. */
  expectedPodTemplateHashes: Readonly<Record<string, string>>;
  /** currentGenerationHash computed by the spec pass; omitted keeps the previous value. */
  generationHash?: string;
  /** Topology-aware scheduling flag and the ClusterTopologyBinding named by topologyNameOf(pcs), if it exists. */
  topology: TopologyInput;
  /**
   * copse.io/GangTerminationPending from the gang-termination pass (gang-termination-plan.ts): set when
   * a condition is given, removed when the pass ran and found nothing waiting (null); omitted keeps it.
   */
  gangTerminationPending?: DesiredCondition | null;
  /** Generation whose spec pass just completed; omitted keeps the previous value. */
  observedGeneration?: number;
  /** Errors of this pass when it did not complete (from the shell); omitted or empty clears them. */
  lastErrors?: readonly LastError[];
  /** The rollout's part of updateProgress (api/update/rollout.ts); omitted keeps the previous one. */
  rollout?: Pick<PodCliqueSetUpdateProgress, 'updateStartedAt' | 'updateEndedAt' | 'currentlyUpdating'>;
  /** Status before this pass; defaults to pcs.status. */
  previous?: PodCliqueSetStatus;
  /** RFC 3339 time of this pass. */
  now: string;
}

export interface PodCliqueSetStatusResult {
  status: PodCliqueSetStatus;
  events: StatusEvent[];
}

/** What one PodCliqueSet replica looks like. */
export interface PcsReplicaState {
  index: number;
  /** Every expected standalone PodClique has minAvailable Ready pods and every scaling group minAvailable available replicas. */
  available: boolean;
  /** Available, and every child runs the current generation. */
  updated: boolean;
  updatedPodCliques: number;
  updatedScalingGroups: number;
}

/**
 * The expectedPodTemplateHashes input of the PodCliqueSet and scaling-group status: every clique's
 * pod template hash as api/desired labels PodCliques with it.
 */
export function expectedPodTemplateHashes(pcs: PodCliqueSet): Record<string, string> {
  return Object.fromEntries(cliqueTemplates(pcs).map((c) => [c.name, podTemplateHash(pcs, c.name)]));
}

function byName<T extends { metadata: { name?: string } }>(pcsName: string, objects: readonly T[], what: string): Map<string, T> {
  const out = new Map<string, T>();
  for (const o of objects) {
    if (labelOf(o, LABEL_PART_OF) === pcsName && !isTerminating(o)) out.set(requireName(what, o), o);
  }
  return out;
}

/** Children of this PodCliqueSet, by exact name (non-terminating only). */
interface Children {
  pclqs: ReadonlyMap<string, PodClique>;
  pcsgs: ReadonlyMap<string, PodCliqueScalingGroup>;
}

/** The state of replica i from its children (grove-compat §4.9). */
export function pcsReplicaState(
  pcs: PodCliqueSet,
  children: Children,
  index: number,
  expectedPodTemplateHashes: Readonly<Record<string, string>>,
  pcsGenerationHash: string | undefined,
): PcsReplicaState {
  const pcsName = requireName('PodCliqueSet', pcs);
  const cliques = standaloneCliques(pcs).map((c) => ({ clique: c.name, pclq: children.pclqs.get(podCliqueName(pcsName, index, c.name)) }));
  const groups = scalingGroupConfigs(pcs).map((g) =>
    children.pcsgs.get(podCliqueScalingGroupName(pcsName, index, g.name)),
  );
  const pclqAvailable = cliques.every((c) => c.pclq !== undefined && (c.pclq.status?.readyReplicas ?? 0) >= podCliqueMinAvailable(c.pclq));
  const pcsgAvailable = groups.every((g) => g !== undefined && (g.status?.availableReplicas ?? 0) >= scalingGroupMinAvailable(g));
  const updatedPodCliques = cliques.filter(
    (c) => c.pclq !== undefined && isPodCliqueUpdated(c.pclq, expectedHash(expectedPodTemplateHashes, c.clique), pcsGenerationHash),
  ).length;
  const updatedScalingGroups = groups.filter(
    (g) => pcsGenerationHash !== undefined && g?.status?.currentPodCliqueSetGenerationHash === pcsGenerationHash,
  ).length;
  const available = pclqAvailable && pcsgAvailable;
  return {
    index,
    available,
    updated: available && updatedPodCliques === cliques.length && updatedScalingGroups === groups.length,
    updatedPodCliques,
    updatedScalingGroups,
  };
}

/** Distinct replica indices among the non-terminating children: the replicas that exist. */
function existingReplicaCount(children: Children): number {
  const indices = new Set<number>();
  for (const p of children.pclqs.values()) indices.add(indexLabel(p, LABEL_PCS_REPLICA_INDEX, 'PodClique'));
  for (const g of children.pcsgs.values()) indices.add(indexLabel(g, LABEL_PCS_REPLICA_INDEX, 'PodCliqueScalingGroup'));
  return indices.size;
}

/** `a-2` before `a-10`: names compared with digit runs as numbers, so replica order reads naturally. */
export function naturalCompare(a: string, b: string): number {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p === q) continue;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    if (numeric && Number(p) !== Number(q)) return Number(p) - Number(q);
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

function isPodGangPhase(v: string | undefined): v is PodGangPhase {
  return (PODGANG_PHASES as readonly string[]).includes(v ?? '');
}

/** Name, phase and conditions of each PodGang of the PodCliqueSet; a gang without status yet is Pending. */
export function podGangStatuses(pcsName: string, podGangs: readonly PodGang[]): PCSPodGangStatus[] {
  return [...byName(pcsName, podGangs, 'PodGang').entries()]
    .sort(([a], [b]) => naturalCompare(a, b))
    .map(([name, g]) => {
      const phase = g.status?.phase;
      const conditions = g.status?.conditions ?? [];
      return dropUndefined({
        name,
        phase: isPodGangPhase(phase) ? phase : 'Pending',
        conditions: conditions.length > 0 ? conditions : undefined,
      });
    });
}

function updateProgress(
  pcs: PodCliqueSet,
  replicas: readonly PcsReplicaState[],
  previous: PodCliqueSetUpdateProgress | undefined,
): PodCliqueSetUpdateProgress {
  const sum = (f: (r: PcsReplicaState) => number): number => replicas.reduce((n, r) => n + f(r), 0);
  const perReplicaGroups = scalingGroupConfigs(pcs).length;
  return {
    ...previous,
    updatedPodCliquesCount: sum((r) => r.updatedPodCliques),
    totalPodCliquesCount: replicas.length * standaloneCliques(pcs).length,
    updatedPodCliqueScalingGroupsCount: sum((r) => r.updatedScalingGroups),
    totalPodCliqueScalingGroupsCount: replicas.length * perReplicaGroups,
  };
}

/** How many gangs a PodGangsScheduled message names before it summarises the rest. */
const GANGS_NAMED = 3;

/**
 * copse (Grove has no such condition): whether every PodGang of the PodCliqueSet has its minimum
 * scheduled, and for those that do not, the gang's own Scheduled reason (the planner's shortfall when
 * copse places gangs). Absent while the PodCliqueSet has no gangs.
 */
export function podGangsScheduledCondition(gangs: readonly PCSPodGangStatus[]): DesiredCondition | undefined {
  if (gangs.length === 0) return undefined;
  const waiting = gangs.filter((g) => findCondition(g.conditions, PODGANG_CONDITION_SCHEDULED)?.status !== 'True');
  if (waiting.length === 0) {
    return { type: CONDITION_PODGANGS_SCHEDULED, status: 'True', reason: 'AllPodGangsScheduled', message: `All ${gangs.length} PodGangs have their minimum scheduled` };
  }
  const named = waiting.slice(0, GANGS_NAMED).map((g) => {
    const c = findCondition(g.conditions, PODGANG_CONDITION_SCHEDULED);
    return c?.message ? `${g.name}: ${c.message}` : `${g.name}: not scheduled yet`;
  });
  const more = waiting.length > GANGS_NAMED ? ` (and ${waiting.length - GANGS_NAMED} more)` : '';
  return {
    type: CONDITION_PODGANGS_SCHEDULED,
    status: 'False',
    reason: 'PodGangsPending',
    message: `${waiting.length} of ${gangs.length} PodGangs below their minimum scheduled${more}. ${named.join(' | ')}`,
  };
}

function topologyConditions(input: PodCliqueSetStatusInput, previous: readonly Condition[] | undefined, gangs: readonly PCSPodGangStatus[]): Condition[] | undefined {
  const decided = topologyLevelsUnavailableCondition(input.pcs, input.topology);
  const scheduled = podGangsScheduledCondition(gangs);
  const pending = input.gangTerminationPending;
  const remove = [
    ...(decided ? [] : [CONDITION_TOPOLOGY_LEVELS_UNAVAILABLE]),
    ...(scheduled ? [] : [CONDITION_PODGANGS_SCHEDULED]),
    ...(pending === null ? [CONDITION_GANG_TERMINATION_PENDING] : []),
  ];
  return mergeConditions(previous, [...(decided ? [decided] : []), ...(scheduled ? [scheduled] : []), ...(pending ? [pending] : [])], remove, {
    observedGeneration: input.pcs.metadata.generation,
    now: input.now,
  });
}

/** A Warning when TopologyLevelsUnavailable becomes True: constraints are being dropped from the gangs. */
function topologyEvents(previous: readonly Condition[] | undefined, next: readonly Condition[] | undefined): StatusEvent[] {
  const t = conditionTransition(previous, next, CONDITION_TOPOLOGY_LEVELS_UNAVAILABLE);
  if (t?.to !== 'True') return [];
  const message = findCondition(next, CONDITION_TOPOLOGY_LEVELS_UNAVAILABLE)?.message ?? '';
  return [{ type: 'Warning', reason: EVENT_TOPOLOGY_LEVELS_UNAVAILABLE, message }];
}

/** A Normal event whenever GangTerminationPending gets a new message: why a breached replica is not recycled (yet). */
export function gangTerminationPendingEvents(previous: readonly Condition[] | undefined, next: readonly Condition[] | undefined): StatusEvent[] {
  const now = findCondition(next, CONDITION_GANG_TERMINATION_PENDING);
  if (!now || now.message === findCondition(previous, CONDITION_GANG_TERMINATION_PENDING)?.message) return [];
  return [{ type: 'Normal', reason: now.reason, message: now.message }];
}

/** The status of one PodCliqueSet after a pass, and the events to emit. */
export function podCliqueSetStatus(input: PodCliqueSetStatusInput): PodCliqueSetStatusResult {
  const { pcs } = input;
  const name = requireName('PodCliqueSet', pcs);
  const previous = input.previous ?? pcs.status;
  const generationHash = input.generationHash ?? previous?.currentGenerationHash;
  const children: Children = { pclqs: byName(name, input.pclqs, 'PodClique'), pcsgs: byName(name, input.pcsgs, 'PodCliqueScalingGroup') };
  const replicas = Array.from({ length: pcsReplicas(pcs) }, (_, i) =>
    pcsReplicaState(pcs, children, i, input.expectedPodTemplateHashes, generationHash),
  );
  const gangs = podGangStatuses(name, input.podGangs);
  const previousConditions = previous?.conditions;
  const conditions = topologyConditions(input, previousConditions, gangs);

  const status: PodCliqueSetStatus = {
    observedGeneration: input.observedGeneration ?? previous?.observedGeneration,
    conditions,
    lastErrors: input.lastErrors && input.lastErrors.length > 0 ? [...input.lastErrors] : undefined,
    replicas: existingReplicaCount(children),
    updatedReplicas: replicas.filter((r) => r.updated).length,
    availableReplicas: replicas.filter((r) => r.available).length,
    hpaPodSelector: pcsPodSelector(name),
    podGangStatuses: gangs.length > 0 ? gangs : undefined,
    currentGenerationHash: generationHash,
    updateProgress: updateProgress(pcs, replicas, input.rollout ? dropUndefined({ ...previous?.updateProgress, ...input.rollout }) : previous?.updateProgress),
  };
  const events = [
    ...topologyEvents(previousConditions, conditions),
    ...gangTerminationPendingEvents(previousConditions, conditions),
    ...availabilityEvents(previous?.availableReplicas, status.availableReplicas, pcsReplicas(pcs)),
  ];
  return { status: dropUndefined(status), events };
}

/** Whether the status changed (the shell skips the write when it did not). */
export const podCliqueSetStatusChanged: (prev: PodCliqueSetStatus | undefined, next: PodCliqueSetStatus) => boolean =
  statusChanged;
