// What a pod asks for and what a node offers, as kube-scheduler's NodeResourcesFit counts them
// (k8s.io/component-helpers/resource PodRequests; scheduler framework NodeInfo.Allocatable).
import { EXTENDER_MARKER } from '../../api/desired/extender-marker.js';
import { resourceAmount } from './quantity.js';
import type { Node, Pod, QuantityMap, V1Container, V1PodSpec } from './kube-types.js';

/** Resource name → amount in planner units (millicores for cpu, whole units otherwise). */
export type ResourceAmounts = Readonly<Record<string, number>>;
type Amounts = Record<string, number>;

/** The `pods` resource: every pod takes one slot of a node's allocatable pod count. */
export const PODS = 'pods';

// Pod-level requests (spec.resources) replace the containers' sum only for these resources.
const POD_LEVEL_RESOURCES: readonly string[] = ['cpu', 'memory'];

// copse's extender marker is a label in resource form (api/desired/extender-marker.ts): kube-scheduler
// ignores it and no node has it, so a plan counting it would find no node for a marked pod.
function amountsOf(list: QuantityMap | undefined, field: string): Amounts {
  const out: Amounts = {};
  if (!list) return out;
  for (const [name, q] of Object.entries(list)) if (name !== EXTENDER_MARKER) out[name] = resourceAmount(name, q, `${field}.${name}`);
  return out;
}

function addInto(target: Amounts, add: ResourceAmounts): void {
  for (const [name, v] of Object.entries(add)) target[name] = (target[name] ?? 0) + v;
}

function maxInto(target: Amounts, other: ResourceAmounts): void {
  for (const [name, v] of Object.entries(other)) target[name] = Math.max(target[name] ?? 0, v);
}

/**
 * A container's effective requests. A resource with only a limit is requested at its limit: the
 * apiserver defaults it so (and for extended resources such as nvidia.com/gpu requests must equal
 * limits), so a pod template that is not yet defaulted is counted as the created pod will be.
 */
export function containerRequests(container: V1Container, field = 'container'): ResourceAmounts {
  const out = amountsOf(container.resources?.limits, `${field}.resources.limits`);
  Object.assign(out, amountsOf(container.resources?.requests, `${field}.resources.requests`));
  return out;
}

/**
 * Init containers run one at a time before the app containers, so each needs its own requests plus
 * those of the sidecars (restartPolicy Always) started before it; sidecars keep running and so also
 * add to the app containers' sum. The pod needs the larger of the two phases.
 */
function initPhaseInto(spec: V1PodSpec, field: string, appPhase: Amounts): void {
  const sidecars: Amounts = {};
  const initPeak: Amounts = {};
  (spec.initContainers ?? []).forEach((c, i) => {
    const own = containerRequests(c, `${field}.initContainers[${i}]`);
    const running: Amounts = { ...sidecars };
    addInto(running, own);
    if (c.restartPolicy === 'Always') {
      addInto(appPhase, own);
      addInto(sidecars, own);
    }
    maxInto(initPeak, running);
  });
  maxInto(appPhase, initPeak);
}

/**
 * A pod's requests: max(sum of containers (and sidecars), the largest init-container phase), with
 * pod-level cpu/memory (spec.resources, limits implying requests) replacing the containers' figure,
 * plus the RuntimeClass overhead. Resources the pod does not ask for are absent, never zero.
 */
export function podRequests(spec: V1PodSpec, field = 'spec'): ResourceAmounts {
  const out: Amounts = {};
  (spec.containers ?? []).forEach((c, i) => addInto(out, containerRequests(c, `${field}.containers[${i}]`)));
  initPhaseInto(spec, field, out);
  const podLevel = amountsOf(spec.resources?.limits, `${field}.resources.limits`);
  Object.assign(podLevel, amountsOf(spec.resources?.requests, `${field}.resources.requests`));
  for (const name of POD_LEVEL_RESOURCES) {
    const v = podLevel[name];
    if (v !== undefined) out[name] = v;
  }
  addInto(out, amountsOf(spec.overhead, `${field}.overhead`));
  return out;
}

/** What the scheduler may hand out on a node: status.allocatable (capacity is never consulted). */
export function nodeAllocatable(node: Node): ResourceAmounts {
  return amountsOf(node.status?.allocatable, `node ${node.metadata?.name ?? '?'}: status.allocatable`);
}

/**
 * Whether a pod holds resources on a node: it is bound (spec.nodeName) and not finished. kube-scheduler
 * watches pods with status.phase!=Succeeded,status.phase!=Failed, so finished pods free their node;
 * a terminating pod still holds it until it is gone.
 */
export function podHoldsResources(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}
