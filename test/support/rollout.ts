// Rolling-update e2e helpers (test/e2e/rolling-update*.test.ts): a pod watch that records every pod
// deletion (the first deletionTimestamp of each uid) and every pod becoming Ready, in order, and the
// few PodCliqueSet edits and waits the scenarios are made of. Every assertion helper here checks an
// order or a set of names, never merely that something ran.
import { afterAll, beforeAll, expect } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import { LABEL_PCS_REPLICA_INDEX, LABEL_POD_TEMPLATE_HASH, LABEL_PODCLIQUE } from '../../api/keys.js';
import { upStack } from '../../cli/stack.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { createNamespace, isReady, listIn } from './dynamic.js';
import { eventually } from './kube.js';
import { groveWorkload } from './workloads.js';

export const STEP_MS = 300_000;

export interface Seen {
  at: number;
  kind: 'deleted' | 'ready';
  pod: string;
  pclq: string;
  replica: number;
  hash: string;
}

function seen(p: Pod, kind: Seen['kind']): Seen {
  const labels = p.metadata?.labels ?? {};
  return {
    at: Date.now(),
    kind,
    pod: p.metadata?.name ?? '',
    pclq: labels[LABEL_PODCLIQUE] ?? '',
    replica: Number(labels[LABEL_PCS_REPLICA_INDEX] ?? -1),
    hash: labels[LABEL_POD_TEMPLATE_HASH] ?? '',
  };
}

/** Every pod deletion and Ready transition in the namespace, in the order the watch saw them. */
export class PodLog {
  readonly events: Seen[] = [];
  private readonly deleted = new Set<string>();
  private readonly ready = new Set<string>();
  private readonly abort = new AbortController();

  constructor(private readonly client: DynamicClient) {}

  start(namespace: string): void {
    const loop = async (): Promise<void> => {
      while (!this.abort.signal.aborted) {
        try {
          await this.client.watch(RESOURCES.pods, { namespace, signal: this.abort.signal, timeoutSeconds: 300 }, (e) => this.see(e.object));
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    void loop();
  }

  private see(p: Pod): void {
    const uid = p.metadata?.uid ?? '';
    const deleting = Boolean(p.metadata?.deletionTimestamp);
    if (deleting && !this.deleted.has(uid)) {
      this.deleted.add(uid);
      this.events.push(seen(p, 'deleted'));
      return;
    }
    if (deleting || this.ready.has(uid) || !isReady(p)) return;
    this.ready.add(uid);
    this.events.push(seen(p, 'ready'));
  }

  deletions(pcs: string): Seen[] {
    return this.events.filter((e) => e.kind === 'deleted' && e.pclq.startsWith(`${pcs}-`));
  }

  stop(): void {
    this.abort.abort();
  }
}

/** The template clique of a PodClique name (`ru7-0-pc-a`, `ru7-0-sg-x-1-pc-c` → `pc-a`, `pc-c`). */
export function cliqueOf(pclq: string): string {
  return /(pc-[a-z])$/.exec(pclq)?.[1] ?? pclq;
}

export const hashOf = (p: Pod): string => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] ?? '';
export const pclqOf = (p: Pod): string => p.metadata?.labels?.[LABEL_PODCLIQUE] ?? '';
export const nameOf = (p: { metadata?: { name?: string } }): string => p.metadata?.name ?? '';

/** The pod template hash of every template clique, as the given pods carry it (one each, or it throws). */
export function hashesByClique(pods: readonly Pod[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of pods) {
    const c = cliqueOf(pclqOf(p));
    const h = hashOf(p);
    const had = out.get(c);
    if (had !== undefined && had !== h) throw new Error(`pods of ${c} carry two template hashes (${had}, ${h})`);
    out.set(c, h);
  }
  return out;
}

/** One test file's namespace, pod log and the PodCliqueSet edits and waits its scenarios use. */
export class Rollouts {
  readonly log: PodLog;

  constructor(
    readonly client: DynamicClient,
    readonly ns: string,
  ) {
    this.log = new PodLog(client);
    this.log.start(ns);
  }

  /** Grove's e2e workload `file` as PodCliqueSet `name` with `replicas`, plus copse annotations. */
  async create(file: string, name: string, replicas: number, annotations: Record<string, string> = {}): Promise<void> {
    const pcs = groveWorkload(file, this.ns);
    await this.client.create(RESOURCES.podCliqueSets, {
      ...pcs,
      metadata: { ...pcs.metadata, name, annotations: { ...pcs.metadata.annotations, ...annotations } },
      spec: { ...pcs.spec, replicas },
    });
  }

  /** The PodCliqueSet's pods that are not terminating. */
  async pods(pcs: string): Promise<Pod[]> {
    return (await listIn(this.client, RESOURCES.pods, this.ns, `app.kubernetes.io/part-of=${pcs}`)).filter((p) => !p.metadata?.deletionTimestamp);
  }

  async getPcs(name: string): Promise<PodCliqueSet> {
    return (await this.client.get(RESOURCES.podCliqueSets, name, this.ns)) as PodCliqueSet;
  }

  /**
   * `count` pods, all Ready, and every PodClique's status saying so: the rollout decides from status
   * (a group replica whose PodCliques do not yet report their Ready pods counts as unavailable and is
   * taken first), so a scenario starts only once status has caught up with the pods, as a person
   * watching `kubectl get` would.
   */
  async allReady(pcs: string, count: number): Promise<Pod[]> {
    return eventually(`${count} Ready pods of ${pcs}, reported in their PodCliques' status`, async () => {
      const ps = await this.pods(pcs);
      if (ps.length !== count || !ps.every(isReady)) return undefined;
      const pclqs = await listIn(this.client, RESOURCES.podCliques, this.ns, `app.kubernetes.io/part-of=${pcs}`);
      const readyOf = (pclq: string) => ps.filter((p) => pclqOf(p) === pclq).length;
      return pclqs.every((c) => (c.status?.readyReplicas ?? 0) === readyOf(c.metadata.name ?? '')) ? ps : undefined;
    }, STEP_MS, 500);
  }

  /**
   * Edits the PodCliqueSet's spec: read, mutate, then a merge patch of the whole spec without a
   * resourceVersion. The controllers write the object all the time (finalizer, status), so an update
   * conditional on the version read kept conflicting under load; only the test writes the spec.
   */
  async edit(name: string, what: string, mutate: (pcs: PodCliqueSet) => void): Promise<void> {
    await eventually(`${name}: ${what}`, async () => {
      const pcs = await this.getPcs(name);
      mutate(pcs);
      await this.client.patch(RESOURCES.podCliqueSets, name, this.ns, { spec: pcs.spec });
      return true;
    }, 30_000, 200);
  }

  /** Sets an env var on the given cliques: a template change that makes new pod template hashes. */
  async changeTemplate(name: string, cliques: string[], value: string): Promise<void> {
    await this.edit(name, `template of ${cliques.join(', ')} changed`, (pcs) => {
      for (const c of pcs.spec.template.cliques) {
        if (!cliques.includes(c.name)) continue;
        const main = c.spec.podSpec.containers[0];
        if (main) main.env = [...(main.env ?? []).filter((e) => e.name !== 'ROLL'), { name: 'ROLL', value }];
      }
    });
  }

  /** Sets a clique's replicas in the PodCliqueSet template (reaches every PCS replica's PodClique). */
  async scaleClique(name: string, clique: string, replicas: number): Promise<void> {
    await this.edit(name, `${clique} scaled to ${replicas}`, (pcs) => {
      const c = pcs.spec.template.cliques.find((x) => x.name === clique);
      if (!c) throw new Error(`no clique ${clique}`);
      c.spec.replicas = replicas;
    });
  }

  async updateEnded(name: string): Promise<PodCliqueSet> {
    return eventually(`${name}: update ended with every replica updated`, async () => {
      const pcs = await this.getPcs(name);
      const p = pcs.status?.updateProgress;
      return p?.updateEndedAt && !p.currentlyUpdating && pcs.status?.updatedReplicas === pcs.spec.replicas ? pcs : undefined;
    }, STEP_MS, 500);
  }

  /** Waits until the PodCliqueSet's rollout works on replica `index`. */
  async updating(name: string, index: number): Promise<void> {
    await eventually(`${name}: replica ${index} being updated`, async () =>
      (await this.getPcs(name)).status?.updateProgress?.currentlyUpdating?.some((c) => c.replicaIndex === index) ? true : undefined,
    STEP_MS, 100);
  }

  /**
   * Between two deletions of one PodClique, a pod of the new template of that PodClique became Ready
   * (only deletions of pods in `among` count, when given: a scale-in is no rollout step).
   */
  oneAtATime(pclq: string, newHash: string, among?: ReadonlySet<string>): void {
    const mine = this.log.events.filter((e) => e.pclq === pclq && (e.kind === 'ready' || !among || among.has(e.pod)));
    let readySinceDelete = true;
    for (const e of mine) {
      if (e.kind === 'deleted') {
        expect(readySinceDelete, `${pclq}: ${e.pod} deleted before the previous replacement was Ready`).toBe(true);
        readySinceDelete = false;
      } else if (e.hash === newHash) readySinceDelete = true;
    }
  }

  /**
   * Scaling-group replicas of `group` (e.g. `ru9-0-sg-x`) recreated one at a time: in deletion order
   * each group replica's deletions form one contiguous run, and the next run starts only once
   * `podsPerReplica` pods of the new template of the previous group replica were Ready.
   */
  groupsOneAtATime(group: string, newHashes: ReadonlyMap<string, string>, podsPerReplica: number, among?: ReadonlySet<string>): number[] {
    const re = new RegExp(`^${group}-(\\d+)-`);
    const mine = this.log.events.filter((e) => re.test(e.pclq));
    const runs: number[] = [];
    const readyNew = new Map<number, number>();
    for (const e of mine) {
      const j = Number(re.exec(e.pclq)?.[1]);
      if (e.kind === 'ready') {
        if (e.hash === newHashes.get(cliqueOf(e.pclq))) readyNew.set(j, (readyNew.get(j) ?? 0) + 1);
        continue;
      }
      if (among && !among.has(e.pod)) continue;
      if (runs[runs.length - 1] === j) continue;
      expect(runs, `${group}: replica ${j} recreated twice`).not.toContain(j);
      const last = runs[runs.length - 1];
      if (last !== undefined) expect(readyNew.get(last) ?? 0, `${group}: replica ${j} went before replica ${last} was back`).toBeGreaterThanOrEqual(podsPerReplica);
      runs.push(j);
    }
    return runs;
  }

  /** PCS replicas worked on one at a time: each replica's deletions form one contiguous run. */
  replicaRuns(pcs: string, among?: ReadonlySet<string>): number[] {
    const runs: number[] = [];
    for (const d of this.log.deletions(pcs)) {
      if (among && !among.has(d.pod)) continue;
      if (runs[runs.length - 1] === d.replica) continue;
      expect(runs, `${pcs}: replica ${d.replica} worked on again after another`).not.toContain(d.replica);
      runs.push(d.replica);
    }
    return runs;
  }

  /**
   * maxUnavailable 1 kept: at each deletion of a pod that had been Ready, no other PodCliqueSet replica
   * was still short of Ready pods. A replica's shortfall is the Ready pods deleted in it minus the pods
   * that became Ready in it since; only log events from index `from` on count (the deploy before).
   * Returns the deletions that found another replica short, as `pod (replica r short n)`.
   */
  overlaps(pcs: string, from: number): string[] {
    const wasReady = new Set<string>();
    const short = new Map<number, number>();
    const out: string[] = [];
    this.log.events.forEach((e, i) => {
      if (!e.pclq.startsWith(`${pcs}-`)) return;
      if (e.kind === 'ready') {
        wasReady.add(e.pod);
        if (i >= from) short.set(e.replica, Math.max(0, (short.get(e.replica) ?? 0) - 1));
        return;
      }
      if (i < from || !wasReady.has(e.pod)) return;
      for (const [r, n] of short) if (r !== e.replica && n > 0) out.push(`${e.pod} (replica ${r} short ${n})`);
      short.set(e.replica, (short.get(e.replica) ?? 0) + 1);
    });
    return out;
  }

  /** No pod of the new template was ever deleted (scaled-out pods are created new and never re-updated). */
  noNewPodDeleted(pcs: string, newHashes: ReadonlyMap<string, string>, except: ReadonlySet<string> = new Set()): void {
    const wrong = this.log.deletions(pcs).filter((d) => !except.has(d.pod) && d.hash === newHashes.get(cliqueOf(d.pclq)));
    expect(wrong.map((d) => d.pod), `${pcs}: pods of the new template deleted`).toEqual([]);
  }
}

/** A rollout file's namespace and Rollouts, made before its tests and removed after them. */
export interface RolloutSuite {
  readonly rt: Rollouts;
  /** The namespace's name. */
  readonly ns: string;
}

/**
 * Call at the top of a rollout e2e file: a fresh namespace named after `prefix` with a Rollouts
 * watching it. `restoreStack` brings the copse server back after the file, for files whose tests
 * kill it.
 */
export function rolloutSuite(client: DynamicClient, prefix: string, opts: { restoreStack?: boolean } = {}): RolloutSuite {
  let rt: Rollouts | undefined;
  let ns: { name: string; cleanup: () => Promise<void> } | undefined;
  beforeAll(async () => {
    ns = await createNamespace(client, prefix);
    rt = new Rollouts(client, ns.name);
  });
  afterAll(async () => {
    rt?.log.stop();
    if (opts.restoreStack) await upStack({ log: () => {} });
    await ns?.cleanup();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error(`rollout suite ${prefix}: used before its beforeAll ran`);
    return v;
  };
  return {
    get rt() {
      return started(rt);
    },
    get ns() {
      return started(ns).name;
    },
  };
}
