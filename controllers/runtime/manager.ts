// Runs the controller machinery of one copse process: the shared informers (always, on every
// replica: the webhooks, the extender and the aggregated API read them), and the controllers
// (only while this replica holds the leader Lease, so two copse servers never both write).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DynamicClient } from '../../kube/dynamic.js';
import type { Controller } from './controller.js';
import { EventRecorder } from './events.js';
import { InformerFactory, type InformerDefaults } from './factory.js';
import { LeaderElector } from './leader.js';

export interface ManagerOptions {
  client: DynamicClient;
  log: Logger;
  /** Omit to lead unconditionally (a single replica, tests). */
  leaderElection?: {
    namespace: string;
    name: string;
    identity?: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  informers?: InformerDefaults;
  eventComponent?: string;
}

export function defaultIdentity(): string {
  return `${hostname()}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export class Manager {
  readonly informers: InformerFactory;
  readonly events: EventRecorder;
  private readonly controllers: Controller[] = [];
  private elector: LeaderElector | undefined;
  private stopped = new AbortController();
  private running: Promise<void> | undefined;
  private cacheTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ManagerOptions) {
    this.informers = new InformerFactory(opts.client, opts.log.child({ component: 'informers' }), opts.informers);
    this.events = new EventRecorder({ client: opts.client, component: opts.eventComponent ?? 'copse-controller', log: opts.log });
  }

  add(controller: Controller): void {
    this.controllers.push(controller);
  }

  /** True once every informer has listed. */
  synced(): boolean {
    return this.informers.synced();
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.running !== undefined;
  }

  /** Starts informers now and controllers once the caches are synced and this replica leads. */
  async start(): Promise<void> {
    const { log } = this.opts;
    this.stopped = new AbortController();
    const signal = this.stopped.signal;
    this.informers.start();
    this.cacheTimer = setInterval(() => this.informers.observe(), 10_000);
    this.cacheTimer.unref();
    await this.informers.waitForSync(signal);
    log.info('informer caches synced');
    const lead = async (leading: AbortSignal): Promise<void> => {
      for (const c of this.controllers) c.start();
      log.info({ controllers: this.controllers.map((c) => c.name) }, 'controllers started');
      await new Promise<void>((resolve) => leading.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.all(this.controllers.map((c) => c.stop()));
      log.info('controllers stopped');
    };
    const le = this.opts.leaderElection;
    if (!le) {
      this.running = lead(signal);
      return;
    }
    this.elector = new LeaderElector({
      client: this.opts.client,
      namespace: le.namespace,
      name: le.name,
      identity: le.identity ?? defaultIdentity(),
      ...(le.leaseDurationMs ? { leaseDurationMs: le.leaseDurationMs } : {}),
      ...(le.renewDeadlineMs ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
      ...(le.retryPeriodMs ? { retryPeriodMs: le.retryPeriodMs } : {}),
      log: log.child({ component: 'leader-election' }),
    });
    this.running = this.elector.run({ onStartedLeading: lead }, signal);
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    if (this.cacheTimer) clearInterval(this.cacheTimer);
    await this.running;
    await Promise.all(this.controllers.map((c) => c.stop()));
    await this.events.flush();
    await this.informers.shutdown();
    this.running = undefined;
  }
}
