// A controller: a work queue of keys and N workers running one reconciler. Reconcilers are
// level-triggered (they read the world from informer caches, never from the event that woke
// them) and idempotent; a result may ask for a later requeue; an error retries with backoff,
// except a TerminalError (retrying cannot help; the reconciler has already reported it).
import type { Logger } from 'pino';
import { KubeError, TerminalError } from '../../kube/errors.js';
import { runtimeMetrics } from './metrics.js';
import { WorkQueue, type QueueOptions } from './queue.js';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (e.g. a wait that no event will end). */
  requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: string, log: Logger, signal: AbortSignal): Promise<ReconcileResult | void>;
}

export interface ControllerOptions {
  name: string;
  concurrency?: number;
  queue?: Omit<QueueOptions, 'name'>;
  /** Keys to reconcile whenever the controller starts (every primary object in the cache). */
  initialKeys?: () => Iterable<string>;
  log: Logger;
}

export class Controller {
  private q: WorkQueue | undefined;
  private workers: Promise<void>[] = [];
  private abort = new AbortController();
  private readonly metrics = runtimeMetrics();
  private reconcileCounter = 0;

  constructor(
    readonly reconciler: Reconciler,
    private readonly opts: ControllerOptions,
  ) {}

  get name(): string {
    return this.opts.name;
  }

  /** The running queue (undefined while stopped: a standby replica queues nothing). */
  get queue(): WorkQueue | undefined {
    return this.q;
  }

  running(): boolean {
    return this.q !== undefined;
  }

  /** Queue a key; ignored while stopped, because start() queues every object anyway. */
  enqueue(key: string): void {
    this.q?.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.q?.addAfter(key, ms);
  }

  /** Start workers (e.g. on becoming leader). Every key of `initialKeys` is queued. */
  start(): void {
    if (this.q) return;
    this.abort = new AbortController();
    const q = new WorkQueue({ name: this.opts.name, ...(this.opts.queue ?? {}) });
    this.q = q;
    for (const key of this.opts.initialKeys?.() ?? []) q.add(key);
    const n = Math.max(1, this.opts.concurrency ?? 1);
    for (let i = 0; i < n; i++) this.workers.push(this.work(q, this.abort.signal));
  }

  /** Stop workers; in-flight reconciles see their signal abort. The controller can start again. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.q?.shutdown();
    this.q = undefined;
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(q: WorkQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await q.get();
      if (key === undefined || signal.aborted) return;
      await this.process(q, key, signal);
      q.done(key);
    }
  }

  private async process(q: WorkQueue, key: string, signal: AbortSignal): Promise<void> {
    const reconcileID = (++this.reconcileCounter).toString(36);
    const log = this.opts.log.child({ controller: this.opts.name, key, reconcileID });
    const stop = this.metrics.reconcileDuration.startTimer({ controller: this.opts.name });
    try {
      const res = await this.reconciler.reconcile(key, log, signal);
      q.forget(key);
      if (res?.requeueAfterMs !== undefined) {
        q.addAfter(key, res.requeueAfterMs);
        stop({ result: 'requeue' });
      } else stop({ result: 'success' });
    } catch (err) {
      stop({ result: 'error' });
      if (signal.aborted) return;
      if (err instanceof TerminalError) {
        q.forget(key);
        log.error({ err: err.message }, 'reconcile failed; not retrying');
        this.metrics.reconcileErrors.inc({ controller: this.opts.name });
        return;
      }
      // A conflict means our cache was behind: the next try sees the newer object. Not an error.
      const quiet = err instanceof KubeError && (err.kind === 'Conflict' || err.kind === 'AlreadyExists');
      if (quiet) log.debug({ err: err.message }, 'reconcile raced with another writer; retrying');
      else {
        this.metrics.reconcileErrors.inc({ controller: this.opts.name });
        log.warn({ err: err instanceof Error ? err.message : String(err), retries: q.numRequeues(key) }, 'reconcile failed; retrying');
      }
      q.addRateLimited(key);
    }
  }
}
