// Names Dynamo's operator derives from a DynamoGraphDeployment (dynamo-dgd.md §2.2, §2.3, §2.9, §3).
// Pure helpers; the translation, the status and the scale decision all name things through these.

import { podCliqueName, podCliqueScalingGroupName } from '../names.js';
import type { DynamoComponentDeploymentSharedSpec, DynamoGraphDeployment } from '../generated/types.js';
import { asObject, isObject } from '../rules/untyped.js';
import { GLOBAL_DYNAMO_NAMESPACE } from './keys.js';

/** Suffix of the leader clique of a multinode service. */
export const LEADER_SUFFIX = 'ldr';
/** Suffix of the worker clique of a multinode service. */
export const WORKER_SUFFIX = 'wkr';

/** ASCII lowercase, the only change Dynamo makes to a service name (`VllmDecodeWorker` → `vllmdecodeworker`). */
export function lowerServiceName(service: string): string {
  return service.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Nodes per replica of a service: `multinode.nodeCount`, else 1. */
export function nodeCount(svc: DynamoComponentDeploymentSharedSpec): number {
  return svc.multinode?.nodeCount ?? 1;
}

export function isMultinode(svc: DynamoComponentDeploymentSharedSpec): boolean {
  return nodeCount(svc) > 1;
}

/** Replicas of a service; absent means 1. */
export function serviceReplicas(svc: DynamoComponentDeploymentSharedSpec): number {
  return svc.replicas ?? 1;
}

export function leaderCliqueName(service: string): string {
  return `${lowerServiceName(service)}-${LEADER_SUFFIX}`;
}

export function workerCliqueName(service: string): string {
  return `${lowerServiceName(service)}-${WORKER_SUFFIX}`;
}

/** The Dynamo namespace of a service: `<k8s namespace>-<dgd name>`, or `dynamo` with globalDynamoNamespace. */
export function dynamoNamespace(namespace: string, dgdName: string, global: boolean | undefined): string {
  return global ? GLOBAL_DYNAMO_NAMESPACE : `${namespace}-${dgdName}`;
}

/** The Kubernetes Service of a service: `<dgd>-<lowercased service>`, e.g. `dynamo-grove-frontend`. */
export function componentServiceName(dgdName: string, service: string): string {
  return `${dgdName}-${lowerServiceName(service)}`;
}

/**
 * What the operator scales and reads status from for a service: the PodClique `<dgd>-0-<service>`
 * (single-node) or the PodCliqueScalingGroup of the same name (multinode). Only PCS replica 0 exists.
 */
export function componentResource(
  dgdName: string,
  service: string,
  svc: DynamoComponentDeploymentSharedSpec,
): { kind: 'PodClique' | 'PodCliqueScalingGroup'; name: string } {
  const lower = lowerServiceName(service);
  return isMultinode(svc)
    ? { kind: 'PodCliqueScalingGroup', name: podCliqueScalingGroupName(dgdName, 0, lower) }
    : { kind: 'PodClique', name: podCliqueName(dgdName, 0, lower) };
}

/**
 * Hostname of the leader pod of a multinode service as its pods see it, through Grove's environment:
 * `$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-<service>-ldr-0.$(GROVE_HEADLESS_SERVICE)`.
 */
export function leaderHostname(service: string): string {
  return `$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-${leaderCliqueName(service)}-0.$(GROVE_HEADLESS_SERVICE)`;
}

/** Node rank of a worker pod (the leader is rank 0), evaluated by the shell. */
export const WORKER_NODE_RANK = '$((GROVE_PCLQ_POD_INDEX + 1))';

/**
 * The services of a DGD sorted by their lowercased name, then by name (byte order): the order of the
 * cliques, never the map order of the manifest.
 */
export function sortedServices(dgd: DynamoGraphDeployment): [string, DynamoComponentDeploymentSharedSpec][] {
  const byte = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  // defensive: admission input may be wrongly typed (the schema reports it)
  return Object.entries(asObject(dgd.spec?.services) ?? {})
    .filter((e): e is [string, DynamoComponentDeploymentSharedSpec] => isObject(e[1]))
    .sort(([a], [b]) => byte(lowerServiceName(a), lowerServiceName(b)) || byte(a, b));
}
