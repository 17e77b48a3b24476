// What a service's replica count means once its PodCliqueSet exists (dynamo-dgd.md §2.10): Grove keeps
// the replicas of existing PodCliques and PodCliqueScalingGroups when the template changes, so
// Dynamo's operator sets them through their scale subresource after every sync: the PodClique
// `<dgd>-0-<service>` of a single-node service, the PodCliqueScalingGroup of the same name of a
// multinode one. Pure: the shell reads the current replicas and PUTs `/scale`.

import type { DynamoGraphDeployment } from '../generated/types.js';
import { componentResource, serviceReplicas, sortedServices } from './names.js';

/** One scale subresource write: set `kind`/`name` (in the DGD's namespace) to `replicas`. */
export interface ScaleTarget {
  /** The DGD service (map key) this target belongs to. */
  service: string;
  kind: 'PodClique' | 'PodCliqueScalingGroup';
  name: string;
  replicas: number;
}

/** The replicas every service asks for, as scale targets in clique order. */
export function scaleTargets(dgd: DynamoGraphDeployment): ScaleTarget[] {
  const name = dgd.metadata?.name ?? '';
  return sortedServices(dgd).map(([service, svc]) => ({ service, ...componentResource(name, service, svc), replicas: serviceReplicas(svc) }));
}

/**
 * The scale writes needed now: targets whose object exists (`current` returns its spec.replicas) with
 * another replica count. A missing object (`undefined`) is skipped; the next sync retries it, as
 * Dynamo's operator ignores NotFound.
 */
export function pendingScales(
  dgd: DynamoGraphDeployment,
  current: (kind: ScaleTarget['kind'], name: string) => number | undefined,
): ScaleTarget[] {
  return scaleTargets(dgd).filter((t) => {
    const now = current(t.kind, t.name);
    return now !== undefined && now !== t.replicas;
  });
}
