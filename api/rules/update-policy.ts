// copse's rolling-update settings beyond Grove (GREP-393, never built there). Grove's API has no field
// for them, so they are annotations on the PodCliqueSet and Grove's schema and manifests are untouched:
//
//   update.copse.io/max-unavailable: "2"    PodCliqueSet replicas updated at once (RollingRecreate);
//                                           an integer >= 1 or a percentage of spec.replicas ("25%",
//                                           rounded down, at least 1). Default 1, Grove's behaviour.
//   update.copse.io/partition: "3"          replicas with an index below 3 keep the template they run:
//                                           they are never rolled, and pods they recreate (a crash, a
//                                           manual delete) still get the old template. Default 0.
//   update.copse.io/coherent: "true"        a replica's roles never run two templates together: the
//                                           replica being updated loses all its outdated pods at once
//                                           (every standalone clique and every scaling-group replica),
//                                           and its new pods are created only once no outdated pod of
//                                           the replica is left, terminating ones included.
//   copse.io/crash-loop-restarts: "5"       restarts of one pod after which its PodClique reports
//                                           CrashLooping=True (default 5; see api/update/crash-loop.ts).
//
// The same parse serves admission (errors naming the annotation) and the controllers, which pause a
// rollout rather than guess when an annotation is invalid (only possible without admission): an
// unreadable partition holds every replica, for a partition guessed as 0 would roll replicas the user
// meant to keep.
import type { PodCliqueSet, UpdateStrategyType } from '../generated/types.js';
import { type FieldError, fieldPath, forbidden, invalid } from '../field-errors.js';
import { asObject } from './untyped.js';

export const ANNOTATION_MAX_UNAVAILABLE = 'update.copse.io/max-unavailable';
export const ANNOTATION_PARTITION = 'update.copse.io/partition';
export const ANNOTATION_COHERENT = 'update.copse.io/coherent';
export const ANNOTATION_CRASH_LOOP_RESTARTS = 'copse.io/crash-loop-restarts';

export const DEFAULT_CRASH_LOOP_RESTARTS = 5;

export interface UpdatePolicy {
  type: UpdateStrategyType;
  /** PodCliqueSet replicas updated at once, resolved against spec.replicas. */
  maxUnavailable: number;
  /** Replicas with an index below this keep their template. */
  partition: number;
  coherent: boolean;
  crashLoopRestarts: number;
}

export interface UpdatePolicyResult {
  policy: UpdatePolicy;
  /** Invalid annotations, each naming its key; the policy then holds defaults for them. */
  errors: FieldError[];
}

const path = (key: string) => fieldPath('metadata', 'annotations').key(key);
const NON_NEGATIVE = /^(0|[1-9][0-9]{0,8})$/;
const PERCENT = /^(0|[1-9][0-9]{0,2})%$/;

/** Admission input is untyped: anything may arrive where the annotations should be. */
function annotationsOf(pcs: unknown): Record<string, string> {
  const a = asObject(asObject(asObject(pcs)?.metadata)?.annotations) ?? {};
  return Object.fromEntries(Object.entries(a).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function strategyOf(pcs: unknown): UpdateStrategyType {
  const t = asObject(asObject(asObject(pcs)?.spec)?.updateStrategy)?.type;
  return t === 'OnDelete' ? 'OnDelete' : 'RollingRecreate';
}

function replicasOf(pcs: unknown): number {
  const r = asObject(asObject(pcs)?.spec)?.replicas;
  return typeof r === 'number' && Number.isInteger(r) && r >= 0 ? r : 1;
}

function parseMaxUnavailable(value: string, replicas: number): number | string {
  if (PERCENT.test(value)) {
    const pct = Number(value.slice(0, -1));
    if (pct === 0 || pct > 100) return `must be a percentage between 1% and 100%, got "${value}"`;
    return Math.max(1, Math.floor((replicas * pct) / 100));
  }
  if (!NON_NEGATIVE.test(value) || Number(value) < 1) return `must be an integer >= 1 or a percentage such as 25%, got "${value}"`;
  return Number(value);
}

/** The update policy a PodCliqueSet asks for, with what is wrong in its annotations. */
export function updatePolicyOf(pcs: Pick<PodCliqueSet, 'metadata' | 'spec'> | unknown): UpdatePolicyResult {
  const a = annotationsOf(pcs);
  const type = strategyOf(pcs);
  const errors: FieldError[] = [];
  const policy: UpdatePolicy = { type, maxUnavailable: 1, partition: 0, coherent: false, crashLoopRestarts: DEFAULT_CRASH_LOOP_RESTARTS };

  const mu = a[ANNOTATION_MAX_UNAVAILABLE];
  if (mu !== undefined) {
    const v = parseMaxUnavailable(mu, replicasOf(pcs));
    if (typeof v === 'string') errors.push(invalid(path(ANNOTATION_MAX_UNAVAILABLE), mu, v));
    else policy.maxUnavailable = v;
  }
  const part = a[ANNOTATION_PARTITION];
  if (part !== undefined) {
    if (NON_NEGATIVE.test(part)) policy.partition = Number(part);
    else {
      // Unreadable: every replica keeps its template, the one reading that loses nothing.
      policy.partition = Number.MAX_SAFE_INTEGER;
      errors.push(invalid(path(ANNOTATION_PARTITION), part, `must be an integer >= 0 (replicas below it keep their template), got "${part}"`));
    }
  }
  const coh = a[ANNOTATION_COHERENT];
  if (coh !== undefined) {
    if (coh === 'true' || coh === 'false') policy.coherent = coh === 'true';
    else errors.push(invalid(path(ANNOTATION_COHERENT), coh, `must be "true" or "false", got "${coh}"`));
  }
  const crash = a[ANNOTATION_CRASH_LOOP_RESTARTS];
  if (crash !== undefined) {
    if (NON_NEGATIVE.test(crash) && Number(crash) >= 1) policy.crashLoopRestarts = Number(crash);
    else errors.push(invalid(path(ANNOTATION_CRASH_LOOP_RESTARTS), crash, `must be an integer >= 1, got "${crash}"`));
  }
  if (type === 'OnDelete') {
    // OnDelete replaces nothing by itself: settings of the automatic rollout would silently do nothing.
    for (const key of [ANNOTATION_MAX_UNAVAILABLE, ANNOTATION_COHERENT]) {
      if (a[key] !== undefined) errors.push(forbidden(path(key), 'applies to updateStrategy RollingRecreate only; spec.updateStrategy.type is OnDelete'));
    }
  }
  return { policy, errors };
}

/** Webhook rule: every copse update annotation well-formed (see the header). */
export function validateUpdatePolicy(pcs: unknown): FieldError[] {
  return updatePolicyOf(pcs).errors;
}
