// V32: what the scheduler backend all cliques resolve to (V14/V15 in cliques.ts) requires of the
// whole PodCliqueSet. default-scheduler (copse's scheduler extender) requires nothing; KAI needs
// one queue.

import { type FieldError, invalid } from '../../field-errors.js';
import { asObject, goString } from '../untyped.js';
import { SPEC, type PCSView } from './view.js';

export const KAI_SCHEDULER_NAME = 'kai-scheduler';
const KAI_QUEUE_KEY = 'kai.scheduler/queue';

function kaiQueueOf(labels: unknown, annotations: unknown): string {
  const fromLabels = goString(asObject(labels)?.[KAI_QUEUE_KEY]) ?? '';
  if (fromLabels !== '') return fromLabels;
  return goString(asObject(annotations)?.[KAI_QUEUE_KEY]) ?? '';
}

/** KAI needs one queue: on the PodCliqueSet, or a single consistent value across the clique templates. */
function kaiQueueProblem(v: PCSView): string | undefined {
  const id = `${v.namespace}/${v.name}`;
  const pcsQueue = kaiQueueOf(v.metadata?.labels, v.metadata?.annotations);
  if (pcsQueue !== '') {
    for (const c of v.cliques) {
      const q = kaiQueueOf(c.raw.labels, c.raw.annotations);
      if (q !== '' && q !== pcsQueue) {
        return `KAI queue on PodCliqueSet ${id} is ${JSON.stringify(pcsQueue)} but PodClique template ${JSON.stringify(c.name ?? '')} resolves to ${JSON.stringify(q)}`;
      }
    }
    return undefined;
  }
  const queues = new Set<string>();
  for (const c of v.cliques) {
    const q = kaiQueueOf(c.raw.labels, c.raw.annotations);
    if (q !== '') queues.add(q);
  }
  if (queues.size === 0) return `no KAI queue is configured on PodCliqueSet ${id} or its PodClique templates`;
  if (queues.size === 1) return undefined;
  return `conflicting KAI queues on PodCliqueSet ${id} PodClique templates: [${[...queues].sort().join(' ')}]`;
}

// V32
export function validateBackend(v: PCSView, schedulerName: string | undefined): FieldError[] {
  if (schedulerName !== KAI_SCHEDULER_NAME) return [];
  const problem = kaiQueueProblem(v);
  // copse: Grove reports `spec: Invalid value: <the whole spec>: ...` (grove-compat §10.16); the value
  // here is the scheduler profile that raised the error.
  return problem ? [invalid(SPEC, schedulerName, problem)] : [];
}
