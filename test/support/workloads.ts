// Grove's e2e workloads on the real control plane, and the check of Grove's scale-test invariants
// (grove-compat §9.4) against an expected shape written out by the test, never derived from what
// the cluster holds: exact PodCliques, PodCliqueScalingGroups, PodGangs (podgroups, minReplicas and
// podReferences), pods (owned by an existing PodClique, distinct indices matching hostnames, Ready,
// gate released), headless Services, PodCliqueSet status, and nothing stuck terminating.
import type { Pod } from '../../api/core/wire.js';
import type { PodClique, PodCliqueScalingGroup, PodCliqueSet, PodGang } from '../../api/index.js';
import { LABEL_BASE_PODGANG, LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_PODCLIQUE_POD_INDEX, LABEL_PODGANG } from '../../api/keys.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { isReady, listIn } from './dynamic.js';
import { podCliqueSetDocs } from './grove-samples.js';

/**
 * Grove's e2e workload `file` (under e2e-workloads/) in `namespace`. The workloads name KAI as their
 * scheduler; copse's admission accepts only enabled backends, so `schedulerName: kai-scheduler` is
 * dropped and the pods go to default-scheduler. Nothing else changes (the `kai.scheduler/queue`
 * labels stay: they are plain labels to copse).
 */
export function groveWorkload(file: string, namespace: string): PodCliqueSet {
  const doc = podCliqueSetDocs('e2e-workloads').find((d) => d.file === `e2e-workloads/${file}`);
  if (!doc) throw new Error(`Grove e2e workload ${file} not found`);
  const pcs = structuredClone(doc.doc) as unknown as PodCliqueSet;
  for (const c of pcs.spec.template.cliques) {
    if (c.spec.podSpec.schedulerName === 'kai-scheduler') delete c.spec.podSpec.schedulerName;
  }
  return { ...pcs, metadata: { ...pcs.metadata, namespace } };
}

export interface GroupShape {
  name: string;
  cliqueNames: string[];
  minAvailable: number;
  /** spec.replicas of this group in each PCS replica. */
  replicas: number[];
}

/** What the PodCliqueSet must look like; every number here is written out by the test. */
export interface Shape {
  pcs: string;
  replicas: number;
  /** Template replicas and minAvailable of every clique, by template name. */
  cliques: Record<string, { replicas: number; minAvailable: number }>;
  /** Template names of the standalone cliques, in template order. */
  standalone: string[];
  groups: GroupShape[];
  /** spec.replicas of individual PodCliques (full names) that differ from their template. */
  overrides?: Record<string, number>;
}

interface ExpectedClique {
  replicas: number;
  gang: string;
  base?: string;
}

export interface ExpectedGraph {
  podCliques: Map<string, ExpectedClique>;
  scalingGroups: Map<string, number>;
  /** Gang name → its podgroups in order, `name:minReplicas`. */
  podGangs: Map<string, string[]>;
  services: string[];
  pods: number;
}

/** The object graph of `s` as grove-compat §4.3 and §4.6 define it. */
export function expectedGraph(s: Shape): ExpectedGraph {
  const podCliques = new Map<string, ExpectedClique>();
  const scalingGroups = new Map<string, number>();
  const podGangs = new Map<string, string[]>();
  const min = (clique: string): number => s.cliques[clique]?.minAvailable ?? 0;
  const replicasOf = (full: string, clique: string): number => s.overrides?.[full] ?? s.cliques[clique]?.replicas ?? 0;
  for (let i = 0; i < s.replicas; i++) {
    const base = `${s.pcs}-${i}`;
    const baseGroups: string[] = [];
    for (const c of s.standalone) {
      const full = `${base}-${c}`;
      podCliques.set(full, { replicas: replicasOf(full, c), gang: base });
      baseGroups.push(`${full}:${min(c)}`);
    }
    for (const g of s.groups) {
      const pcsg = `${base}-${g.name}`;
      const n = g.replicas[i] ?? 0;
      scalingGroups.set(pcsg, n);
      for (let j = 0; j < n; j++) {
        const scaled = j >= g.minAvailable;
        const gang = scaled ? `${pcsg}-${j - g.minAvailable}` : base;
        const members: string[] = [];
        for (const c of g.cliqueNames) {
          const full = `${pcsg}-${j}-${c}`;
          podCliques.set(full, { replicas: replicasOf(full, c), gang, ...(scaled ? { base } : {}) });
          members.push(`${full}:${min(c)}`);
        }
        if (scaled) podGangs.set(gang, members);
        else baseGroups.push(...members);
      }
    }
    podGangs.set(base, baseGroups);
  }
  const pods = [...podCliques.values()].reduce((n, c) => n + c.replicas, 0);
  return { podCliques, scalingGroups, podGangs, services: Array.from({ length: s.replicas }, (_, i) => `${s.pcs}-${i}`), pods };
}

export interface Observed {
  pcs: PodCliqueSet | undefined;
  podCliques: PodClique[];
  scalingGroups: PodCliqueScalingGroup[];
  podGangs: PodGang[];
  pods: Pod[];
  services: string[];
}

export async function observe(client: DynamicClient, namespace: string, pcsName: string): Promise<Observed> {
  const sel = `${LABEL_MANAGED_BY}=grove-operator,${LABEL_PART_OF}=${pcsName}`;
  const [pcs, podCliques, scalingGroups, podGangs, pods, services] = await Promise.all([
    client.tryGet(RESOURCES.podCliqueSets, pcsName, namespace),
    listIn(client, RESOURCES.podCliques, namespace, sel),
    listIn(client, RESOURCES.podCliqueScalingGroups, namespace, sel),
    listIn(client, RESOURCES.podGangs, namespace, sel),
    listIn(client, RESOURCES.pods, namespace, `${LABEL_PART_OF}=${pcsName}`),
    listIn(client, RESOURCES.services, namespace, sel),
  ]);
  return { pcs, podCliques, scalingGroups, podGangs, pods, services: services.map((s) => s.metadata?.name ?? '').sort() };
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function diff(what: string, want: readonly string[], got: readonly string[]): string[] {
  if (same(want, got)) return [];
  const missing = want.filter((w) => !got.includes(w));
  const extra = got.filter((g) => !want.includes(g));
  return [`${what}: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`];
}

function graphProblems(want: ExpectedGraph, o: Observed): string[] {
  const out: string[] = [];
  const terminating = [...o.podCliques, ...o.scalingGroups, ...o.podGangs, ...o.pods].filter((x) => x.metadata?.deletionTimestamp);
  if (terminating.length) out.push(`terminating (stuck finalizers?): ${terminating.map((x) => `${x.kind ?? ''}/${x.metadata?.name ?? ''} ${JSON.stringify(x.metadata?.finalizers ?? [])}`).join(', ')}`);
  out.push(...diff('PodCliques', sorted(want.podCliques.keys()), sorted(o.podCliques.map((p) => p.metadata.name ?? ''))));
  out.push(...diff('PodCliqueScalingGroups', sorted(want.scalingGroups.keys()), sorted(o.scalingGroups.map((p) => p.metadata.name ?? ''))));
  out.push(...diff('PodGangs', sorted(want.podGangs.keys()), sorted(o.podGangs.map((p) => p.metadata.name ?? ''))));
  out.push(...diff('headless Services', want.services, o.services));
  for (const g of o.scalingGroups) {
    const n = want.scalingGroups.get(g.metadata.name ?? '');
    if (n !== undefined && g.spec.replicas !== n) out.push(`PodCliqueScalingGroup ${g.metadata.name ?? ''}: spec.replicas ${g.spec.replicas}, want ${n}`);
  }
  return out;
}

/** Pods by the name of their (existing) owning PodClique; orphans are reported into `out`. */
function podsByClique(o: Observed, out: string[]): Map<string, Pod[]> {
  const byUid = new Map(o.podCliques.map((p) => [p.metadata.uid ?? '', p]));
  const podsOf = new Map<string, Pod[]>();
  for (const pod of o.pods) {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'PodClique');
    const pclq = owner ? byUid.get(owner.uid) : undefined;
    if (!pclq) {
      out.push(`orphan pod ${pod.metadata?.name ?? ''} (owner ${owner ? `${owner.name}/${owner.uid}` : 'none'} does not exist)`);
      continue;
    }
    const name = pclq.metadata.name ?? '';
    podsOf.set(name, [...(podsOf.get(name) ?? []), pod]);
  }
  return podsOf;
}

function cliqueProblems(p: PodClique, w: ExpectedClique, pods: readonly Pod[]): string[] {
  const out: string[] = [];
  const name = p.metadata.name ?? '';
  if (p.spec.replicas !== w.replicas) out.push(`PodClique ${name}: spec.replicas ${p.spec.replicas}, want ${w.replicas}`);
  if (p.metadata.labels?.[LABEL_PODGANG] !== w.gang) out.push(`PodClique ${name}: podgang label ${p.metadata.labels?.[LABEL_PODGANG]}, want ${w.gang}`);
  if (p.metadata.labels?.[LABEL_BASE_PODGANG] !== w.base) out.push(`PodClique ${name}: base-podgang label ${p.metadata.labels?.[LABEL_BASE_PODGANG]}, want ${w.base}`);
  const st: Partial<NonNullable<PodClique['status']>> = p.status ?? {};
  if (![st.readyReplicas, st.updatedReplicas, st.replicas].every((n) => n === w.replicas)) {
    out.push(`PodClique ${name}: status replicas/ready/updated ${st.replicas}/${st.readyReplicas}/${st.updatedReplicas}, want ${w.replicas}`);
  }
  return [...out, ...cliquePodProblems(name, w, pods)];
}

function cliquePodProblems(name: string, w: ExpectedClique, pods: readonly Pod[]): string[] {
  const out: string[] = [];
  // Indices are distinct (no duplicate pods) and each pod's hostname carries its own. They need not
  // be 0..replicas-1: a scale-in removes Grove's victims whatever their index, and the next scale-out
  // reuses the lowest free ones (grove-compat §4.7).
  const indices = pods.map((pod) => pod.metadata?.labels?.[LABEL_PODCLIQUE_POD_INDEX] ?? '?').sort((a, b) => Number(a) - Number(b));
  if (pods.length !== w.replicas) out.push(`PodClique ${name}: ${pods.length} pods, want ${w.replicas}`);
  if (new Set(indices).size !== indices.length || indices.some((i) => !/^\d+$/.test(i))) out.push(`PodClique ${name}: pod indices [${indices.join(',')}] not distinct`);
  const badHost = pods.filter((pod) => pod.spec?.hostname !== `${name}-${pod.metadata?.labels?.[LABEL_PODCLIQUE_POD_INDEX] ?? '?'}`);
  if (badHost.length) out.push(`PodClique ${name}: hostnames not <pclq>-<index>: ${badHost.map((pod) => `${pod.metadata?.name ?? ''}=${pod.spec?.hostname ?? ''}`).join(', ')}`);
  // Every gate released: copse's own and any placement gate a scheduler backend added.
  const unready = pods.filter((pod) => !isReady(pod) || (pod.spec?.schedulingGates ?? []).length > 0);
  if (unready.length) out.push(`PodClique ${name}: not Ready or still gated: ${unready.map((pod) => pod.metadata?.name ?? '').join(', ')}`);
  return out;
}

function gangProblems(g: PodGang, want: readonly string[], podsOf: Map<string, Pod[]>): string[] {
  const out: string[] = [];
  const name = g.metadata.name ?? '';
  const got = g.spec.podgroups.map((pg) => `${pg.name}:${pg.minReplicas}`);
  if (!same(got, want)) out.push(`PodGang ${name}: podgroups [${got.join(', ')}], want [${want.join(', ')}]`);
  for (const pg of g.spec.podgroups) {
    const refs = sorted(pg.podReferences.map((r) => r.name));
    const pods = sorted((podsOf.get(pg.name) ?? []).map((pod) => pod.metadata?.name ?? ''));
    if (!same(refs, pods)) out.push(`PodGang ${name} podgroup ${pg.name}: podReferences [${refs.join(', ')}], pods [${pods.join(', ')}]`);
  }
  return out;
}

function podCliqueSetProblems(s: Shape, pcs: PodCliqueSet | undefined): string[] {
  if (!pcs) return ['PodCliqueSet is gone'];
  const out: string[] = [];
  const st: Partial<NonNullable<PodCliqueSet['status']>> = pcs.status ?? {};
  if (pcs.spec.replicas !== s.replicas) out.push(`PodCliqueSet spec.replicas ${pcs.spec.replicas}, want ${s.replicas}`);
  if (![st.replicas, st.availableReplicas, st.updatedReplicas].every((n) => n === s.replicas)) {
    out.push(`PodCliqueSet status replicas/available/updated ${st.replicas}/${st.availableReplicas}/${st.updatedReplicas}, want ${s.replicas}`);
  }
  if (st.observedGeneration !== pcs.metadata.generation) out.push(`PodCliqueSet observedGeneration ${st.observedGeneration}, generation ${pcs.metadata.generation}`);
  if ((st.lastErrors ?? []).length) out.push(`PodCliqueSet lastErrors ${JSON.stringify(st.lastErrors)}`);
  return out;
}

/** Everything that differs from the invariants (empty when the graph is exactly right). */
export function problems(s: Shape, o: Observed): string[] {
  const want = expectedGraph(s);
  const out = graphProblems(want, o);
  const podsOf = podsByClique(o, out);
  if (o.pods.length !== want.pods) out.push(`pods: ${o.pods.length}, want ${want.pods}`);
  for (const p of o.podCliques) {
    const w = want.podCliques.get(p.metadata.name ?? '');
    if (w) out.push(...cliqueProblems(p, w, podsOf.get(p.metadata.name ?? '') ?? []));
  }
  for (const g of o.podGangs) {
    const w = want.podGangs.get(g.metadata.name ?? '');
    if (w) out.push(...gangProblems(g, w, podsOf));
  }
  out.push(...podCliqueSetProblems(s, o.pcs));
  return out;
}

/**
 * Waits until the graph of `s` is exactly right; fails with every problem of the last look.
 * Returns what was observed then.
 */
export async function converged(client: DynamicClient, namespace: string, s: Shape, timeoutMs = 180_000): Promise<Observed> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  for (;;) {
    let o: Observed | undefined;
    try {
      o = await observe(client, namespace, s.pcs);
    } catch (err) {
      // A kube-apiserver that has just restarted answers 429 "storage is (re)initializing" for a while:
      // not converged yet, and the last error is reported if it never clears.
      last = [`observing failed: ${String(err)}`];
    }
    if (o) last = problems(s, o);
    if (o && last.length === 0) return o;
    if (Date.now() > deadline) throw new Error(`${namespace}/${s.pcs} did not converge within ${timeoutMs / 1000} s:\n  ${last.join('\n  ')}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Pod uid by pod name, for "these pods were not touched" checks. */
export function podUids(pods: readonly Pod[]): Map<string, string> {
  return new Map(pods.map((p) => [p.metadata?.name ?? '', p.metadata?.uid ?? '']));
}

/** Names of the pods of `o` that belong to PodClique `pclq`. */
export function podsOfClique(o: Observed, pclq: string): Pod[] {
  return o.pods.filter((p) => p.metadata?.ownerReferences?.some((r) => r.controller && r.name === pclq));
}
