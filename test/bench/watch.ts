// What the controller benchmarks observe, through watches of their own (never by polling lists of
// 1000 pods, which would load the apiserver the runs share): per pod when it was first seen, when
// its gang gate was seen gone and when it was seen Ready; per PodGang when each pod name first
// appeared in its podReferences. Times are this process's clock when the watch event arrived.
import type { Pod } from '../../api/core/wire.js';
import { isPodReady } from '../../api/desired/pods.js';
import type { PodCliqueSet, PodGang } from '../../api/index.js';
import { SCHEDULING_GATE_PODGANG_PENDING_CREATION } from '../../api/keys.js';
import { Informer } from '../../controllers/runtime/informer.js';
import type { DynamicClient, ObjectLike } from '../../kube/dynamic.js';
import { createLogger } from '../../kube/log.js';
import { RESOURCES, type Resource } from '../../kube/resources.js';

const silent = createLogger('silent');

export interface PodTimes {
  seen: number;
  /** The pod was seen without copse's gang gate (at creation for pods born ungated). */
  ungated?: number;
  /** The pod was seen with no scheduling gate at all (the placement gate lifted too). */
  released?: number;
  /** The pod was seen bound to a node. */
  bound?: number;
  ready?: number;
}

function gated(pod: Pod): boolean {
  return (pod.spec?.schedulingGates ?? []).some((g) => g.name === SCHEDULING_GATE_PODGANG_PENDING_CREATION);
}

/** The stages a copse pod goes through, in order, as the timeline reports them. */
export const POD_STAGES = ['seen', 'referenced', 'ungated', 'released', 'bound', 'ready'] as const;
export type PodStage = (typeof POD_STAGES)[number];

export interface StageRow {
  stage: PodStage;
  /** Pods that reached the stage. */
  pods: number;
  /** Seconds from `t0` until 10%, 50%, 90% and all of `total` pods had reached it (undefined: never). */
  at: [number | undefined, number | undefined, number | undefined, number | undefined];
  /** Seconds spent since the previous stage, p50 and p99 over the pods that reached both. */
  sincePrevious?: { p50: number; p99: number };
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

/**
 * When the pods of a run reached each stage, relative to `t0` (the PodCliqueSet's create): which stage
 * the deploy's time goes to. `referenced` is per pod name from the PodGangs' podReferences.
 */
export function stageTimeline(times: ReadonlyMap<string, PodTimes>, referencedAt: ReadonlyMap<string, number>, t0: number, total: number): StageRow[] {
  const stageOf = (name: string, t: PodTimes, stage: PodStage): number | undefined => (stage === 'referenced' ? referencedAt.get(name) : t[stage]);
  return POD_STAGES.map((stage, i) => {
    const reached: number[] = [];
    const deltas: number[] = [];
    for (const [name, t] of times) {
      const at = stageOf(name, t, stage);
      if (at === undefined) continue;
      reached.push((at - t0) / 1000);
      const prevStage = POD_STAGES[i - 1];
      const prev = prevStage === undefined ? undefined : stageOf(name, t, prevStage);
      if (prev !== undefined) deltas.push(Math.max(0, at - prev) / 1000);
    }
    reached.sort((a, b) => a - b);
    deltas.sort((a, b) => a - b);
    const nth = (f: number): number | undefined => {
      const k = Math.ceil(f * total);
      return k >= 1 && k <= reached.length ? reached[k - 1] : undefined;
    };
    return {
      stage,
      pods: reached.length,
      at: [nth(0.1), nth(0.5), nth(0.9), nth(1)],
      ...(deltas.length ? { sincePrevious: { p50: quantile(deltas, 0.5), p99: quantile(deltas, 0.99) } } : {}),
    };
  });
}

/** The timeline as text lines for the bench log. */
export function formatTimeline(rows: readonly StageRow[]): string[] {
  const s = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));
  return [
    'stage        pods   10%     50%     90%    100%   (s since create)   since previous p50 / p99',
    ...rows.map(
      (r) =>
        `${r.stage.padEnd(11)} ${String(r.pods).padStart(5)} ${r.at.map((v) => s(v).padStart(7)).join(' ')}` +
        (r.sincePrevious ? `   ${r.sincePrevious.p50.toFixed(2)} / ${r.sincePrevious.p99.toFixed(2)}` : ''),
    ),
  ];
}

function informer<T extends ObjectLike>(client: DynamicClient, resource: Resource<T>, namespace: string): Informer<T> {
  return new Informer<T>(client, { resource, namespace, log: silent, resyncMs: undefined });
}

export class NamespaceWatch {
  readonly pods: Informer<Pod>;
  readonly gangs: Informer<PodGang>;
  readonly pcs: Informer<PodCliqueSet>;
  readonly times = new Map<string, PodTimes>();
  /** Pod name → when it first appeared in a PodGang's podReferences. */
  readonly referencedAt = new Map<string, number>();

  constructor(client: DynamicClient, namespace: string) {
    this.pods = informer(client, RESOURCES.pods, namespace);
    this.gangs = informer(client, RESOURCES.podGangs, namespace);
    this.pcs = informer(client, RESOURCES.podCliqueSets, namespace);
    const onPod = (pod: Pod): void => {
      const name = pod.metadata?.name ?? '';
      const now = performance.now();
      let t = this.times.get(name);
      if (!t) this.times.set(name, (t = { seen: now }));
      if (t.ungated === undefined && !gated(pod)) t.ungated = now;
      if (t.released === undefined && !(pod.spec?.schedulingGates ?? []).length) t.released = now;
      if (t.bound === undefined && pod.spec?.nodeName) t.bound = now;
      if (t.ready === undefined && isPodReady(pod)) t.ready = now;
    };
    this.pods.on({ add: onPod, update: (_o, n) => onPod(n) });
    const onGang = (gang: PodGang): void => {
      const now = performance.now();
      for (const g of gang.spec?.podgroups ?? []) {
        for (const ref of g.podReferences ?? []) if (!this.referencedAt.has(ref.name)) this.referencedAt.set(ref.name, now);
      }
    };
    this.gangs.on({ add: onGang, update: (_o, n) => onGang(n) });
  }

  async start(): Promise<void> {
    for (const i of [this.pods, this.gangs, this.pcs] as Informer<ObjectLike>[]) i.start();
    await Promise.all([this.pods.waitForSync(), this.gangs.waitForSync(), this.pcs.waitForSync()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.pods.shutdown(), this.gangs.shutdown(), this.pcs.shutdown()]);
  }

  /** Live (non-terminating) pods and how many of them are Ready. */
  podCounts(): { live: number; ready: number; all: number } {
    const all = this.pods.store.list();
    const live = all.filter((p) => !p.metadata?.deletionTimestamp);
    return { live: live.length, ready: live.filter(isPodReady).length, all: all.length };
  }

  /**
   * Gate-removal latency per pod: from the moment its gang's condition held (its name appeared in
   * the gang's podReferences; the scale test has base gangs only, so that is the whole condition)
   * to the moment it was seen without the gate. Pods seen without a gate before their reference
   * (the two watches are separate streams) count as 0.
   */
  gateLatenciesMs(): number[] {
    const out: number[] = [];
    for (const [name, t] of this.times) {
      const ref = this.referencedAt.get(name);
      if (ref === undefined || t.ungated === undefined) continue;
      out.push(Math.max(0, t.ungated - ref));
    }
    return out;
  }
}

/** Resolves when `done()` holds, checking every `everyMs`; rejects after `timeoutMs` with `what`. */
export async function until(what: string, done: () => boolean, timeoutMs: number, everyMs = 50): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (done()) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
