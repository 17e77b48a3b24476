// The status Dynamo's operator writes on a DynamoGraphDeployment after each reconcile (dynamo-dgd.md
// §2.12, walkthrough-era release): `state` and one `Ready` condition, from the PodCliques (single-node
// services) and PodCliqueScalingGroups (multinode services) Grove made of its PodCliqueSet.

import type { Condition, DynamoGraphDeployment, DynamoGraphDeploymentStatus, PodClique, PodCliqueScalingGroup } from '../generated/types.js';
import {
  CONDITION_READY,
  REASON_ALL_READY,
  REASON_FAILED,
  REASON_NOT_READY,
  STATE_FAILED,
  STATE_PENDING,
  STATE_SUCCESSFUL,
} from './keys.js';
import { componentResource, sortedServices } from './names.js';

export interface DynamoStatusInput {
  dgd: DynamoGraphDeployment;
  /** PodCliques and PodCliqueScalingGroups in the DGD's namespace (at least those it owns through its PCS). */
  podCliques: readonly PodClique[];
  scalingGroups: readonly PodCliqueScalingGroup[];
  /** The reconcile failed with this error (translation field errors, API errors): state failed. */
  error?: { message: string; reason?: string };
  /** RFC 3339 time of this status, for a Ready condition whose status changes. */
  now: string;
}

/** Readiness of one service: `undefined` when ready, else the operator's `<resource>: <why>` text. */
function notReady(input: DynamoStatusInput, service: string): string | undefined {
  const svc = input.dgd.spec.services?.[service];
  if (!svc) return undefined;
  const target = componentResource(input.dgd.metadata.name ?? '', service, svc);
  if (target.kind === 'PodClique') {
    const pclq = input.podCliques.find((p) => p.metadata.name === target.name);
    const res = `podclique/${target.name}`;
    if (!pclq) return `${res}: resource not found`;
    const desired = pclq.spec.replicas;
    const ready = pclq.status?.readyReplicas ?? 0;
    return desired === 0 || desired === ready ? undefined : `${res}: desired=${desired}, ready=${ready}`;
  }
  const pcsg = input.scalingGroups.find((g) => g.metadata.name === target.name);
  const res = `pcsg/${target.name}`;
  if (!pcsg) return `${res}: resource not found`;
  const desired = pcsg.spec.replicas;
  const available = pcsg.status?.availableReplicas ?? 0;
  return desired === 0 || desired === available ? undefined : `${res}: desired=${desired}, available=${available}`;
}

/** The Ready condition with the previous transition time kept when its status did not change. */
function readyCondition(
  previous: readonly Condition[] | undefined,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: string,
): Condition {
  const old = previous?.find((c) => c.type === CONDITION_READY);
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now;
  return { type: CONDITION_READY, status, reason, message, lastTransitionTime };
}

/**
 * The DGD status: `successful` / Ready True when every service's PodClique has all its replicas ready
 * (a PodCliqueScalingGroup all available; 0 desired counts as ready), `pending` / Ready False with
 * `Resources not ready: <pcs>: podclique/<name>: desired=2, ready=1; ...` otherwise, `failed` on error.
 * Other conditions are kept.
 */
export function dynamoGraphDeploymentStatus(input: DynamoStatusInput): DynamoGraphDeploymentStatus {
  const previous = input.dgd.status?.conditions;
  const others = (previous ?? []).filter((c) => c.type !== CONDITION_READY);
  const done = (state: string, ready: Condition): DynamoGraphDeploymentStatus => ({ state, conditions: [...others, ready] });
  if (input.error) {
    return done(STATE_FAILED, readyCondition(previous, 'False', input.error.reason ?? REASON_FAILED, input.error.message, input.now));
  }
  const waiting = sortedServices(input.dgd)
    .map(([service]) => notReady(input, service))
    .filter((m): m is string => m !== undefined);
  if (waiting.length === 0) {
    return done(STATE_SUCCESSFUL, readyCondition(previous, 'True', REASON_ALL_READY, 'All resources are ready', input.now));
  }
  const message = `Resources not ready: ${input.dgd.metadata.name ?? ''}: ${waiting.join('; ')}`;
  return done(STATE_PENDING, readyCondition(previous, 'False', REASON_NOT_READY, message, input.now));
}
