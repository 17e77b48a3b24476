// The scheduler backend for a cluster with native workload-aware scheduling (the seam in
// api/desired/backend.ts). Per gang it decides native or extender (decision.ts) and writes the
// decision on the PodGang; a pod is prepared by the decision of its gang, because
// `spec.schedulingGroup` can only be set when the pod is created:
//   native   → schedulerName default-scheduler, schedulingGroup = the clique's leaf PodGroup, and
//              copse's native gate (lifted on the whole gang at once by the native controller);
//   extender → whatever `fallback` does (the placement gate).
// A pod whose gang is not known yet cannot be prepared: the builder's caller retries.
import type { Pod } from '../core/wire.js';
import { type SchedulerBackend, BackendNotReadyError, DEFAULT_SCHEDULER_NAME, appendSchedulingGate } from '../desired/backend.js';
import { cliqueTemplates } from '../desired/template.js';
import type { PodCliqueSet, PodGang } from '../generated/types.js';
import { replicaSpreadOf } from '../rules/replica-spread.js';
import { ANNOTATION_BACKEND, ANNOTATION_BACKEND_REASON, type BackendDecision, decideBackend, recordedBackend } from './decision.js';
import { NATIVE_GATE } from './status.js';
import { leafPodGroupName } from './translate.js';

/** The priorityClassName each clique's pods get (the clique's own, else the PodCliqueSet's). */
export function podPriorityClassNames(pcs: PodCliqueSet): (string | undefined)[] {
  const fallback = pcs.spec.template.priorityClassName || undefined;
  return cliqueTemplates(pcs).map((c) => c.spec.podSpec.priorityClassName || fallback);
}

/**
 * Whether the pod with index `podIndex` of PodClique `podClique` joins its leaf PodGroup: only the
 * gang's minimum does (indices below the pod group's minReplicas; a replacement pod takes the lowest
 * free index, so it rejoins). The pods beyond it ("extras") are created without a schedulingGroup,
 * behind copse's native gate, and placed as ordinary pods once the minimum is bound (status.ts,
 * nativeExtrasRelease). They cannot be in the group: kube-scheduler v1.37 evaluates a group greedily,
 * placing pods above minCount whenever they fit with no backtracking, so one pod group's extras take
 * the room a sibling needs for its minimum and fail the gang (Grove's GS5: with three nodes free,
 * pc-a's second pod took the node sg-x-0 pc-c needed); and holding them back behind a gate inside the
 * group does not work either, because one gated pod gates the scheduler's whole queued entity (the
 * root group with every member: `runPreEnqueuePlugins`, backend/queue/scheduling_queue.go).
 */
export function joinsPodGroup(gang: PodGang, podClique: string, podIndex: number): boolean {
  const g = gang.spec.podgroups.find((x) => x.name === podClique);
  return g === undefined || podIndex < g.minReplicas;
}

export class GangNotObservedError extends BackendNotReadyError {}

export function nativeBackend(fallback: SchedulerBackend, gangOf: (namespace: string, name: string) => PodGang | undefined): SchedulerBackend {
  const decisionOf = (gang: PodGang, pcs: PodCliqueSet): BackendDecision => recordedBackend(gang) ?? decideBackend(gang, podPriorityClassNames(pcs), replicaSpreadOf(pcs));
  return {
    name: fallback.name,
    preparePodGang(gang, ctx) {
      const d = decideBackend(gang, podPriorityClassNames(ctx.pcs), replicaSpreadOf(ctx.pcs));
      const annotated: PodGang = {
        ...gang,
        metadata: { ...gang.metadata, annotations: { ...gang.metadata.annotations, [ANNOTATION_BACKEND]: d.backend, [ANNOTATION_BACKEND_REASON]: d.reason } },
      };
      return d.backend === 'native' ? annotated : fallback.preparePodGang(annotated, ctx);
    },
    preparePod(pod, ctx) {
      const namespace = pod.metadata?.namespace ?? ctx.podClique.metadata.namespace ?? '';
      const gang = gangOf(namespace, ctx.podGangName);
      if (!gang) {
        throw new GangNotObservedError(`PodGang ${namespace}/${ctx.podGangName} is not observed yet: its backend decides how its pods are created`);
      }
      if (decisionOf(gang, ctx.pcs).backend !== 'native') return fallback.preparePod(pod, ctx);
      const podClique = ctx.podClique.metadata.name ?? '';
      const group = joinsPodGroup(gang, podClique, ctx.podIndex) ? { schedulingGroup: { podGroupName: leafPodGroupName(podClique) } } : {};
      const spec = { ...pod.spec, containers: pod.spec?.containers ?? [], schedulerName: DEFAULT_SCHEDULER_NAME, ...group };
      return appendSchedulingGate({ ...pod, spec: spec as Pod['spec'] } as Pod, NATIVE_GATE);
    },
  };
}
