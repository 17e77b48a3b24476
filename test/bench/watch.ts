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
