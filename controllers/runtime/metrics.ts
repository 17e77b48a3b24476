// The controller machinery's metrics, declared once on the process registry.
import { defaultRegistry, type Registry } from '../../kube/metrics.js';
import type { InformerMetrics } from './informer.js';

function declare(r: Registry) {
  return {
    reconcileDuration: r.histogram('copse_reconcile_duration_seconds', 'Time of one reconcile by controller and result (success, requeue, error).', ['controller', 'result']),
    reconcileErrors: r.counter('copse_reconcile_errors_total', 'Reconciles that ended in an error, by controller.', ['controller']),
    queueDepth: r.gauge('copse_workqueue_depth', 'Keys waiting in a work queue.', ['queue']),
    queueAdds: r.counter('copse_workqueue_adds_total', 'Keys added to a work queue.', ['queue']),
    queueWait: r.histogram('copse_workqueue_queue_duration_seconds', 'Time a key waits in a work queue before a worker takes it.', ['queue']),
    queueRetries: r.counter('copse_workqueue_retries_total', 'Rate-limited re-adds (retries after errors).', ['queue']),
    informerRelists: r.counter('copse_informer_relists_total', 'Full lists by an informer (start, 410 Gone, stalled watch).', ['resource']),
    informerErrors: r.counter('copse_informer_watch_errors_total', 'Watch failures an informer recovered from.', ['resource']),
    informerStalls: r.counter('copse_informer_watch_stalls_total', 'Watches aborted after no event or bookmark for too long.', ['resource']),
    informerObjects: r.gauge('copse_informer_objects', 'Objects in an informer cache.', ['resource']),
    leader: r.gauge('copse_leader', '1 while this process holds the controller lease.', ['lease']),
    managedObjects: r.gauge('copse_managed_objects', 'Objects copse manages, by kind.', ['kind']),
  };
}

let cached: ReturnType<typeof declare> | undefined;
export function runtimeMetrics(): ReturnType<typeof declare> {
  return (cached ??= declare(defaultRegistry));
}

/** The informer counters on the process registry (the Informer itself imports no metrics library). */
export function informerMetrics(): InformerMetrics {
  const m = runtimeMetrics();
  return {
    relisted: (resource) => m.informerRelists.inc({ resource }),
    watchFailed: (resource) => m.informerErrors.inc({ resource }),
    stalled: (resource) => m.informerStalls.inc({ resource }),
  };
}
