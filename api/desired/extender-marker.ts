// The extender marker: an extended resource that selects which pods kube-scheduler sends to copse's
// extender. kube-scheduler calls an extender that lists `managedResources` only for pods requesting
// one of them (k8s-wire §3.2), and with `ignoredByScheduler: true` it does not count that resource
// against nodes itself. Nodes never advertise it; kubelet leaves out extended resources the node does
// not have when it admits a pod, so the pod runs as if it did not ask.
//
// Why mark at all: kube-scheduler v1.37's workload scheduling calls every extender for each pod of
// each placement it tries. A 64-pod native gang over 50 racks cost 3,200 extender calls and three
// times the binding time. Those pods are in native PodGroups, where the extender only ever says yes.
// Marking the pods copse places outside native PodGroups keeps the extender on them and off the rest.
//
// The cost: pods copse did not create no longer pass through the extender, so they are no longer
// kept off capacity copse has reserved for a gang it planned. If one takes it, the gang's pinned pod
// cannot bind; the reservation expires and copse plans the gang again (and unwinds it whole if it
// was left partly bound: scheduler/partial-gang.ts). On a native cluster copse's
// own planner places only the gangs the native API cannot express, which is why the marker is meant
// for those clusters.
//
// The marker is only safe where kube-scheduler's extender entry lists it: anywhere else a marked pod
// stays Pending with "Insufficient scheduling.copse.io/extender". So it is an explicit setting.
import type { Pod } from '../core/wire.js';
import { DEFAULT_SCHEDULER_NAME, type SchedulerBackend } from './backend.js';
import { schedulingGroupOf } from './pods.js';

export const EXTENDER_MARKER = 'scheduling.copse.io/extender';

/** Whether any container of the pod asks for the marker (as kube-scheduler's IsInterested reads it). */
export function carriesExtenderMarker(pod: Pod): boolean {
  const spec = pod.spec;
  if (!spec) return false;
  return [...(spec.initContainers ?? []), ...spec.containers].some((c) => c.resources?.requests?.[EXTENDER_MARKER] !== undefined || c.resources?.limits?.[EXTENDER_MARKER] !== undefined);
}

/**
 * The pod with one marker in its first container's requests and limits (an extended resource must
 * have both, equal). A pod without containers is left alone: admission rejects it anyway.
 */
export function withMarker(pod: Pod): Pod {
  const spec = pod.spec;
  const first = spec?.containers[0];
  if (!spec || !first || carriesExtenderMarker(pod)) return pod;
  const resources = first.resources ?? {};
  const marked = {
    ...first,
    resources: { ...resources, requests: { ...resources.requests, [EXTENDER_MARKER]: '1' }, limits: { ...resources.limits, [EXTENDER_MARKER]: '1' } },
  };
  return { ...pod, spec: { ...spec, containers: [marked, ...spec.containers.slice(1)] } };
}

/** Whether kube-scheduler should call copse's extender for this prepared pod. */
export function wantsExtender(pod: Pod): boolean {
  return (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === DEFAULT_SCHEDULER_NAME && schedulingGroupOf(pod) === undefined;
}

/**
 * `base` with the marker on every pod it sends to kube-scheduler outside a native PodGroup: gang pods
 * behind copse's placement gate, and a native gang's pods beyond its minimum, which kube-scheduler
 * places one by one. Pods for another scheduler (KAI, Volcano) and native group members are unmarked.
 */
export function withExtenderMarker(base: SchedulerBackend): SchedulerBackend {
  return {
    name: base.name,
    preparePod(pod, ctx) {
      const prepared = base.preparePod(pod, ctx);
      return wantsExtender(prepared) ? withMarker(prepared) : prepared;
    },
    preparePodGang: (gang, ctx) => base.preparePodGang(gang, ctx),
  };
}

/**
 * kube-scheduler's unschedulable message with the likely cause added when it counted the marker
 * against nodes: its extender entry does not manage the marker, a configuration mistake copse cannot
 * discover, since a scheduler's configuration is not an API object.
 */
export function explainMarkerShortage(message: string): string {
  if (!message.includes(`Insufficient ${EXTENDER_MARKER}`)) return message;
  return `${message} (kube-scheduler counts copse's extender marker: with copse serve --extender-marker on, its extender entry must list managedResources ${EXTENDER_MARKER} with ignoredByScheduler: true, as manifests/scheduler/kube-scheduler-config-native.yaml does)`;
}
