// Kubernetes Events (core/v1) on the transitions a person can act on. The same event for the
// same object within `windowMs` is folded into one Event whose count grows (as client-go's
// correlator does), so a crash-looping clique does not flood etcd. Recording never blocks or
// fails a reconcile: writes happen in the background and failures are only logged.
import type { Logger } from 'pino';
import type { CoreEvent } from '../../api/core/wire.js';
import type { DynamicClient, ObjectLike } from '../../kube/dynamic.js';
import { RESOURCES, apiVersionOf } from '../../kube/resources.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: DynamicClient;
  component: string;
  log: Logger;
  windowMs?: number;
  now?: () => number;
}

interface Recent {
  name: string;
  namespace: string;
  count: number;
  lastAt: number;
}

/** Involved-object reference of an event about `obj` (its kind/apiVersion must be set). */
export function involvedObject(obj: ObjectLike): CoreEvent['involvedObject'] {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata?.name,
    namespace: obj.metadata?.namespace,
    uid: obj.metadata?.uid,
    resourceVersion: obj.metadata?.resourceVersion,
  };
}

export class EventRecorder {
  private readonly recent = new Map<string, Recent>();
  private readonly windowMs: number;
  private readonly now: () => number;
  private pending = Promise.resolve();

  constructor(private readonly opts: EventRecorderOptions) {
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.now = opts.now ?? (() => Date.now());
  }

  /** Record an event about `obj` (a namespaced object; cluster-scoped ones go to `default`). */
  record(obj: ObjectLike, type: EventType, reason: string, message: string): void {
    const namespace = obj.metadata?.namespace ?? 'default';
    const key = [obj.metadata?.uid ?? obj.metadata?.name, type, reason, message].join('\0');
    const at = this.now();
    const prev = this.recent.get(key);
    this.prune(at);
    this.pending = this.pending
      .then(() => (prev && at - prev.lastAt < this.windowMs ? this.bump(prev, at) : this.create(obj, namespace, key, type, reason, message, at)))
      .catch((err: unknown) => this.opts.log.debug({ err: err instanceof Error ? err.message : String(err), reason }, 'could not record event'));
  }

  /** Resolves when every event recorded so far has been written (tests, shutdown). */
  flush(): Promise<void> {
    return this.pending;
  }

  private async create(obj: ObjectLike, namespace: string, key: string, type: EventType, reason: string, message: string, at: number): Promise<void> {
    const ts = new Date(at).toISOString();
    const name = `${obj.metadata?.name ?? 'unknown'}.${at.toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
    const ev: CoreEvent = {
      apiVersion: apiVersionOf(RESOURCES.events),
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: involvedObject(obj),
      type,
      reason,
      message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
      source: { component: this.opts.component },
      reportingComponent: this.opts.component,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
    };
    await this.opts.client.create(RESOURCES.events, ev);
    this.recent.set(key, { name, namespace, count: 1, lastAt: at });
  }

  private async bump(r: Recent, at: number): Promise<void> {
    r.count++;
    r.lastAt = at;
    await this.opts.client.patch(RESOURCES.events, r.name, r.namespace, { count: r.count, lastTimestamp: new Date(at).toISOString() });
  }

  private prune(at: number): void {
    if (this.recent.size < 4096) return;
    for (const [k, r] of this.recent) if (at - r.lastAt >= this.windowMs) this.recent.delete(k);
  }
}
