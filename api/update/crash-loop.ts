// Bounded restarts: a PodClique whose pods crash-loop says so in status instead of churning silently.
// The kubelet restarts a failing container in place (restartPolicy Always), so nothing in Grove's
// status moves: the pod stays, Ready flaps, the clique may even count as available. copse reports
// the condition CrashLooping=True on the PodClique once one of its active pods has restarted
// `limit` times or more (copse.io/crash-loop-restarts on the PodCliqueSet, default 5), naming the
// pod, the container, the count and the container's last exit. It goes back to False when no active
// pod is over the limit (the pod was replaced, e.g. by a rolling update to a fixed template).
import type { Pod } from '../core/wire.js';
import { isActivePod } from '../desired/pods.js';
import type { DesiredCondition } from '../status/conditions.js';

export const CONDITION_CRASH_LOOPING = 'CrashLooping';
export const REASON_RESTART_LIMIT_EXCEEDED = 'RestartLimitExceeded';
export const REASON_RESTARTS_WITHIN_LIMIT = 'RestartsWithinLimit';

interface ContainerRestarts {
  pod: string;
  container: string;
  restarts: number;
  lastExit?: string;
}

function worstContainer(pod: Pod): ContainerRestarts | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  let worst: ContainerRestarts | undefined;
  for (const s of statuses) {
    if (worst !== undefined && s.restartCount <= worst.restarts) continue;
    const t = s.lastState?.terminated;
    worst = {
      pod: pod.metadata?.name ?? '',
      container: s.name,
      restarts: s.restartCount,
      ...(t ? { lastExit: `exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}` } : {}),
    };
  }
  return worst;
}

/** The most restarted container among the active pods (ties: the first pod by name). */
export function mostRestarted(pods: readonly Pod[]): ContainerRestarts | undefined {
  let worst: ContainerRestarts | undefined;
  for (const p of [...pods].filter(isActivePod).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const w = worstContainer(p);
    if (w && (worst === undefined || w.restarts > worst.restarts)) worst = w;
  }
  return worst;
}

export function crashLoopCondition(pods: readonly Pod[], limit: number): DesiredCondition {
  const worst = mostRestarted(pods);
  if (worst && worst.restarts >= limit) {
    return {
      type: CONDITION_CRASH_LOOPING,
      status: 'True',
      reason: REASON_RESTART_LIMIT_EXCEEDED,
      message: `Pod ${worst.pod} container ${worst.container} restarted ${worst.restarts} times (limit ${limit})${worst.lastExit ? `; last ${worst.lastExit}` : ''}`,
    };
  }
  return { type: CONDITION_CRASH_LOOPING, status: 'False', reason: REASON_RESTARTS_WITHIN_LIMIT, message: `No pod restarted ${limit} times or more` };
}
