// List-then-watch into a Store, and keep it true through what a real cluster does to a watch:
// - 410 Gone / Expired (the resourceVersion was compacted away): relist, and turn the difference
//   between the cache and the fresh list into add/update/delete events;
// - an apiserver restart or a dropped connection: rewatch from the last resourceVersion, with
//   capped exponential backoff (a relist follows if that version is too old);
// - a stalled watch (a half-open TCP connection, a hung proxy: no bytes for a long time while
//   objects change): bookmarks are requested, so silence longer than `stallMs` means the stream is
//   dead; it is aborted and the informer relists;
// - every `resyncMs` all cached objects are handed to the handlers again (a level-triggered safety net).
// client-node 1.4's informer stops on the first non-410 error and has no client-side timeout
// (k8s-wire §4); this one never stops until asked to.
import type { Logger } from 'pino';
import type { DynamicClient, ObjectLike } from '../../kube/dynamic.js';
import { KubeError, toKubeError } from '../../kube/errors.js';
import type { Resource } from '../../kube/resources.js';
import { keyOf, Store } from './store.js';
import { sleep } from './sleep.js';

export interface EventHandler<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

/**
 * Where an informer counts what it recovered from. Injected rather than imported: the metrics
 * library costs a short-lived process (`copse initc`, which waits on one informer) a tenth of a
 * second of start-up for counters nobody scrapes. The controllers' factory passes the process
 * registry's counters (informerMetrics in metrics.ts).
 */
export interface InformerMetrics {
  relisted(resource: string): void;
  watchFailed(resource: string): void;
  stalled(resource: string): void;
}

const NO_METRICS: InformerMetrics = { relisted: () => {}, watchFailed: () => {}, stalled: () => {} };

export interface InformerOptions<T> {
  resource: Resource<T>;
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Applied to every object before it is cached (e.g. drop managedFields to save memory). */
  transform?: ((obj: T) => T) | undefined;
  resyncMs?: number | undefined;
  stallMs?: number | undefined;
  minBackoffMs?: number | undefined;
  maxBackoffMs?: number | undefined;
  /** Counters for relists, watch failures and stalls; none by default. */
  metrics?: InformerMetrics | undefined;
  log: Logger;
}

/** Drops what a controller never reads and what costs most memory. */
export function stripManagedFields<T extends ObjectLike>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

export class Informer<T extends ObjectLike> {
  readonly store = new Store<T>();
  private readonly handlers: EventHandler<T>[] = [];
  private stop = new AbortController();
  private running: Promise<void> | undefined;
  private syncedOnce = false;
  private syncWaiters: (() => void)[] = [];
  private lastActivity = Date.now();
  private resourceVersion = '';
  private readonly name: string;
  private readonly metrics: InformerMetrics;
  /** Counts relists (tests and metrics look at it). */
  relists = 0;

  constructor(
    private readonly client: DynamicClient,
    private readonly opts: InformerOptions<T>,
  ) {
    this.name = [opts.resource.resource, opts.namespace, opts.labelSelector, opts.fieldSelector].filter(Boolean).join(':');
    this.metrics = opts.metrics ?? NO_METRICS;
  }

  on(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    // A handler added after the first sync still sees everything as added.
    if (this.syncedOnce) for (const obj of this.store.list()) handler.add?.(obj);
  }

  get resourceName(): string {
    return this.opts.resource.resource;
  }

  hasSynced(): boolean {
    return this.syncedOnce;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push(resolve);
      signal?.addEventListener('abort', () => reject(new Error(`informer ${this.name}: stopped before it synced`)), { once: true });
    });
  }

  start(): void {
    if (this.running) return;
    this.stop = new AbortController();
    const resync = this.opts.resyncMs;
    if (resync && Number.isFinite(resync)) {
      const t = setInterval(() => {
        if (this.syncedOnce) for (const o of this.store.list()) this.emit('update', o, o);
      }, resync);
      t.unref();
      this.stop.signal.addEventListener('abort', () => clearInterval(t), { once: true });
    }
    this.running = this.loop(this.stop.signal).catch((err: unknown) => this.opts.log.error({ err, informer: this.name }, 'informer loop crashed'));
  }

  async shutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
    this.running = undefined;
  }

  private emit(kind: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const h of this.handlers) {
      try {
        if (kind === 'add') h.add?.(a);
        else if (kind === 'update' && b) h.update?.(a, b);
        else if (kind === 'delete') h.delete?.(a);
      } catch (err) {
        this.opts.log.error({ err, informer: this.name }, 'informer handler failed');
      }
    }
  }

  private transform(obj: T): T {
    return this.opts.transform ? this.opts.transform(obj) : obj;
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const list = await this.client.list(this.opts.resource, {
      namespace: this.opts.namespace,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      signal,
    });
    const changes = this.store.replace(list.items.map((o) => this.transform(o)));
    this.resourceVersion = list.resourceVersion;
    this.relists++;
    this.metrics.relisted(this.opts.resource.resource);
    for (const o of changes.added) this.emit('add', o);
    for (const [o, n] of changes.updated) this.emit('update', o, n);
    for (const o of changes.deleted) this.emit('delete', o);
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private apply(type: string, raw: T): void {
    const obj = this.transform(raw);
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === 'BOOKMARK') return;
    if (type === 'DELETED') {
      const old = this.store.remove(keyOf(obj));
      this.emit('delete', old ?? obj);
      return;
    }
    const old = this.store.upsert(obj);
    if (old) this.emit('update', old, obj);
    else this.emit('add', obj);
  }

  /** One watch request, aborted by `stop` or by the stall watchdog. */
  private async watchOnce(signal: AbortSignal): Promise<'ended' | 'stalled'> {
    const ctl = new AbortController();
    const onStop = () => ctl.abort();
    signal.addEventListener('abort', onStop, { once: true });
    const stallMs = this.opts.stallMs ?? 180_000;
    let stalled = false;
    this.lastActivity = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - this.lastActivity > stallMs) {
        stalled = true;
        ctl.abort();
      }
    }, Math.min(5_000, Math.max(100, stallMs / 4)));
    try {
      await this.client.watch(
        this.opts.resource,
        {
          namespace: this.opts.namespace,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          resourceVersion: this.resourceVersion,
          // Spread reconnects over time so many informers do not reconnect in step.
          timeoutSeconds: 300 + Math.floor(Math.random() * 300),
          signal: ctl.signal,
        },
        (ev) => {
          this.lastActivity = Date.now();
          this.apply(ev.type, ev.object);
        },
      );
    } catch (err) {
      // A request that hangs before its response headers (sent on a pooled socket whose path is dead)
      // rejects when the watchdog aborts it; that is the same stall, and must relist the same way.
      if (!stalled) throw err;
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener('abort', onStop);
    }
    return stalled ? 'stalled' : 'ended';
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const minBackoff = this.opts.minBackoffMs ?? 200;
    const maxBackoff = this.opts.maxBackoffMs ?? 30_000;
    let backoff = minBackoff;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
        }
        const outcome = await this.watchOnce(signal);
        backoff = minBackoff;
        if (outcome === 'stalled') {
          // The relist must not reuse a pooled socket on the same dead path.
          const droppedSockets = this.client.http.dropIdleConnections();
          this.opts.log.warn({ informer: this.name, stallMs: this.opts.stallMs ?? 180_000, droppedSockets }, 'watch stalled; relisting');
          this.metrics.stalled(this.opts.resource.resource);
          needList = true;
        }
      } catch (err) {
        if (signal.aborted) break;
        const ke = err instanceof KubeError ? err : toKubeError(err);
        if (ke.kind === 'Gone') {
          this.opts.log.info({ informer: this.name }, 'resourceVersion expired; relisting');
          needList = true;
          continue;
        }
        this.opts.log.warn({ informer: this.name, err: ke.message, backoffMs: backoff }, 'watch failed; retrying');
        this.metrics.watchFailed(this.opts.resource.resource);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }
}
