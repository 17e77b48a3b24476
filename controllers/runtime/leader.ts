// Leader election on a coordination.k8s.io/v1 Lease (client-go's leaderelection, re-implemented):
// every `retryPeriod` a candidate reads the Lease; it takes it when the Lease is free or its holder
// has not renewed for `leaseDuration`, and the holder renews it. Every write is a compare-and-swap
// on resourceVersion, so two candidates can never both win. A leader that cannot renew within
// `renewDeadline` steps down (its `signal` aborts) before anyone else may take over, because
// leaseDuration > renewDeadline. On a clean shutdown the leader releases the Lease so a standby
// takes over at once instead of waiting leaseDuration.
import type { Logger } from 'pino';
import type { Lease } from '../../api/core/wire.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { KubeError } from '../../kube/errors.js';
import { RESOURCES } from '../../kube/resources.js';
import { runtimeMetrics } from './metrics.js';
import { sleep } from './sleep.js';

export interface LeaderElectionOptions {
  client: DynamicClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  now?: () => number;
}

export interface LeaderCallbacks {
  /** Runs while this process leads; `signal` aborts when leadership is lost or released. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
}

/** What a candidate should do with the Lease it read (pure). */
export type LeaseDecision = { action: 'create' } | { action: 'renew' } | { action: 'acquire' } | { action: 'wait'; holder: string };

export function decideLease(lease: Lease | undefined, identity: string, nowMs: number, leaseDurationMs: number): LeaseDecision {
  if (!lease) return { action: 'create' };
  const spec = lease.spec ?? {};
  const holder = spec.holderIdentity ?? '';
  if (holder === identity) return { action: 'renew' };
  if (!holder) return { action: 'acquire' };
  const renewed = Date.parse(String(spec.renewTime ?? spec.acquireTime ?? ''));
  const duration = spec.leaseDurationSeconds !== undefined ? spec.leaseDurationSeconds * 1000 : leaseDurationMs;
  if (!Number.isFinite(renewed) || nowMs - renewed > duration) return { action: 'acquire' };
  return { action: 'wait', holder };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private leading: AbortController | undefined;
  private lastRenew = 0;
  private readonly leaseDuration: number;
  private readonly renewDeadline: number;
  private readonly retryPeriod: number;
  private readonly now: () => number;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.leaseDuration = opts.leaseDurationMs ?? 15_000;
    this.renewDeadline = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriod = opts.retryPeriodMs ?? 2_000;
    this.now = opts.now ?? (() => Date.now());
    if (!(this.leaseDuration > this.renewDeadline && this.renewDeadline > this.retryPeriod)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
  }

  isLeader(): boolean {
    return this.leading !== undefined && !this.leading.signal.aborted;
  }

  /** Campaign until `signal` aborts; then release the Lease if held. */
  async run(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<void> {
    const { log } = this.opts;
    while (!signal.aborted) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew(signal);
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'lease read or write failed');
      }
      if (ok) {
        this.lastRenew = this.now();
        if (!this.leading) {
          this.leading = new AbortController();
          runtimeMetrics().leader.set({ lease: this.opts.name }, 1);
          log.info({ identity: this.opts.identity, lease: `${this.opts.namespace}/${this.opts.name}` }, 'became leader');
          void Promise.resolve(callbacks.onStartedLeading(this.leading.signal)).catch((err: unknown) => log.error({ err }, 'leader work failed'));
        }
      } else if (this.leading && this.now() - this.lastRenew > this.renewDeadline) {
        this.stepDown(callbacks, 'could not renew the lease in time');
      }
      await sleep(this.retryPeriod, signal);
    }
    if (this.leading) {
      this.stepDown(callbacks, 'shutting down');
      await this.release().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not release the lease'));
    }
  }

  private stepDown(callbacks: LeaderCallbacks, why: string): void {
    this.leading?.abort();
    this.leading = undefined;
    runtimeMetrics().leader.set({ lease: this.opts.name }, 0);
    this.opts.log.warn({ why }, 'stopped leading');
    callbacks.onStoppedLeading?.();
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, namespace, name, identity } = this.opts;
    const lease = await client.tryGet(RESOURCES.leases, name, namespace, { signal });
    const now = this.now();
    const decision = decideLease(lease, identity, now, this.leaseDuration);
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDuration / 1000),
      renewTime: microTime(now),
    };
    try {
      switch (decision.action) {
        case 'wait':
          return false;
        case 'create':
          await client.create(RESOURCES.leases, { metadata: { name, namespace }, spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 } }, { signal });
          return true;
        case 'renew':
          await client.update(RESOURCES.leases, { ...lease, spec: { ...lease?.spec, ...spec } } as Lease, { signal });
          return true;
        case 'acquire':
          await client.update(
            RESOURCES.leases,
            { ...lease, spec: { ...lease?.spec, ...spec, acquireTime: microTime(now), leaseTransitions: (lease?.spec?.leaseTransitions ?? 0) + 1 } } as Lease,
            { signal },
          );
          return true;
      }
    } catch (err) {
      // Someone else wrote first: not an error, just not us this round.
      if (err instanceof KubeError && (err.kind === 'Conflict' || err.kind === 'AlreadyExists')) return false;
      throw err;
    }
  }

  /** Give the Lease up so a standby does not wait out leaseDuration. */
  private async release(): Promise<void> {
    const { client, namespace, name, identity } = this.opts;
    const lease = await client.tryGet(RESOURCES.leases, name, namespace);
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    await client.update(RESOURCES.leases, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) } } as Lease);
  }
}
