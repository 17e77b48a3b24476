// The three resources the live views count (CPU, memory and nvidia.com/gpu), counted the way
// kube-scheduler counts them: CPU in millicores, everything else in whole units, both rounded up.
// The parsing and the pod/node arithmetic are the gang planner's (scheduler/plan), so the views and
// the planner never disagree about what fits.

import type { Node, Pod } from '../core/wire.js';
import { PlanInputError } from '../../scheduler/plan/errors.js';
import { formatAmount as planFormatAmount, resourceAmount } from '../../scheduler/plan/quantity.js';
import { nodeAllocatable as planNodeAllocatable, podHoldsResources, podRequests as planPodRequests, type ResourceAmounts } from '../../scheduler/plan/resources.js';

export const GPU = 'nvidia.com/gpu';
/** The resources the views count, in display order. */
export const VIEW_RESOURCES = ['cpu', 'memory', GPU] as const;
export type ViewResource = (typeof VIEW_RESOURCES)[number];
/** Millicores for cpu, bytes for memory, devices for nvidia.com/gpu. */
export type Amounts = Record<ViewResource, number>;

export function zeroAmounts(): Amounts {
  return { cpu: 0, memory: 0, [GPU]: 0 };
}

/** The amount of `resource` in `quantity` (millicores for cpu, whole units otherwise); undefined when malformed. */
export function parseAmount(resource: string, quantity: string | number): number | undefined {
  try {
    return resourceAmount(resource, quantity, resource);
  } catch (err) {
    if (err instanceof PlanInputError) return undefined;
    throw err;
  }
}

function pick(all: ResourceAmounts): Amounts {
  return { cpu: all.cpu ?? 0, memory: all.memory ?? 0, [GPU]: all[GPU] ?? 0 };
}

/**
 * What a pod asks for, as kube-scheduler counts it (scheduler/plan's podRequests). kube-apiserver
 * validates quantities, so a malformed one means a hand-built object: it counts as nothing rather
 * than failing the whole view.
 */
export function podRequests(pod: Pod): Amounts {
  try {
    return pick(planPodRequests(pod.spec ?? { containers: [] }));
  } catch (err) {
    if (err instanceof PlanInputError) return zeroAmounts();
    throw err;
  }
}

/** What the scheduler may hand out on a node: status.allocatable (malformed: nothing). */
export function nodeAllocatable(node: Node): Amounts {
  try {
    return pick(planNodeAllocatable(node));
  } catch (err) {
    if (err instanceof PlanInputError) return zeroAmounts();
    throw err;
  }
}

/** Bound and not finished: the pod holds its requests on its node (a terminating pod still does). */
export const holdsResources: (pod: Pod) => boolean = podHoldsResources;

const BINARY = [
  ['Ei', 60],
  ['Pi', 50],
  ['Ti', 40],
  ['Gi', 30],
  ['Mi', 20],
  ['Ki', 10],
] as const;

/** A canonical, exact quantity: `64`, `500m`, `512Gi`, `1536Mi`, `8`. */
export function formatAmount(resource: ViewResource, amount: number): string {
  return planFormatAmount(resource, amount);
}

/** A short, rounded form for table cells: `63.5`, `480Gi`, `1.5Ti`, `8`. */
export function humanAmount(resource: ViewResource, amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const v = Math.abs(amount);
  const round = (x: number): string => String(Math.round(x * 10) / 10);
  if (resource === 'cpu') return `${sign}${round(v / 1000)}`;
  if (resource === 'memory') {
    for (const [suffix, exp] of BINARY) {
      const unit = 2 ** exp;
      if (v >= unit) return `${sign}${round(v / unit)}${suffix}`;
    }
  }
  return `${sign}${v}`;
}

/** Amounts as canonical quantity strings, for the objects the views serve. */
export function quantities(a: Amounts): Record<ViewResource, string> {
  return { cpu: formatAmount('cpu', a.cpu), memory: formatAmount('memory', a.memory), [GPU]: formatAmount(GPU, a[GPU]) };
}
