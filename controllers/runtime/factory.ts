// One informer per (resource, namespace, selectors), shared by every reader in the process: the
// controllers, the scheduler extender and the aggregated API all read the same caches, so a pod is
// listed and watched once however many components care about it.
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { DynamicClient, ObjectLike } from '../../kube/dynamic.js';
import type { Resource } from '../../kube/resources.js';
import { Informer, stripManagedFields } from './informer.js';
import { informerMetrics, runtimeMetrics } from './metrics.js';
import { byControllerUid, byNamespace } from './store.js';

export interface InformerDefaults {
  resyncMs?: number;
  stallMs?: number;
}

export interface InformerSpec {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export const INDEX_NAMESPACE = 'namespace';
export const INDEX_OWNER = 'owner';

export class InformerFactory {
  private readonly informers = new Map<string, Informer<ObjectLike>>();
  private started = false;

  constructor(
    readonly client: DynamicClient,
    private readonly log: Logger,
    private readonly defaults: InformerDefaults = {},
  ) {}

  /** The shared informer for this resource and scope; created (and started, if the factory runs) on first use. */
  informer<T extends ObjectLike>(resource: Resource<T>, spec: InformerSpec = {}): Informer<T> {
    const key = [resource.group, resource.version, resource.resource, spec.namespace ?? '', spec.labelSelector ?? '', spec.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as Informer<T> | undefined;
    if (!inf) {
      inf = new Informer<T>(this.client, {
        resource,
        namespace: spec.namespace,
        labelSelector: spec.labelSelector,
        fieldSelector: spec.fieldSelector,
        transform: stripManagedFields,
        resyncMs: this.defaults.resyncMs,
        stallMs: this.defaults.stallMs,
        metrics: informerMetrics(),
        log: this.log,
      });
      inf.store.addIndex(INDEX_NAMESPACE, byNamespace);
      inf.store.addIndex(INDEX_OWNER, byControllerUid);
      this.informers.set(key, inf as unknown as Informer<ObjectLike>);
      if (this.started) inf.start();
    }
    return inf;
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  synced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    // Each informer listens on the signal; more than Node's default 10 is expected, not a leak.
    if (signal) setMaxListeners(Math.max(getMaxListeners(signal), this.informers.size + 10), signal);
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  /** Publishes cache sizes (called on a timer by the manager). */
  observe(): void {
    const m = runtimeMetrics();
    // Several informers may share a resource (different selectors); report the largest.
    const largest = new Map<string, number>();
    for (const inf of this.informers.values()) largest.set(inf.resourceName, Math.max(largest.get(inf.resourceName) ?? 0, inf.store.size));
    for (const [resource, size] of largest) m.informerObjects.set({ resource }, size);
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.shutdown()));
    this.started = false;
  }
}
