// Startup ordering on the real control plane: one watch on a namespace's pods, started before the
// PodCliqueSet, that records in stream order when each parent PodClique reached each count of Ready
// pods in each gang, and when the local runner reported each `copse initc` exit. A single watch
// delivers events in resourceVersion order, and an init program can only exit after it has seen its
// parents Ready, so "the parents reached their minimum at an earlier event than the child's exit"
// is exact, with no clock involved. Times (this process's clock, the same machine's as the runner's)
// are kept too, for the latency from the last parent Ready to the init program's exit.
import type { Pod } from '../../api/core/wire.js';
import { INIT_CONTAINER_NAME, LABEL_PODCLIQUE, LABEL_PODGANG } from '../../api/keys.js';
import { ANNOTATION_INITC_EXIT_CODE, ANNOTATION_INITC_FINISHED_AT } from '../../cluster/initc-plan.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { isReady } from './dynamic.js';

/** When a gang's PodClique first had `count` Ready pods: the event's sequence number and the time it arrived. */
export interface Reached {
  seq: number;
  atMs: number;
}

/** A `copse initc` exit as the runner reported it on the pod. */
export interface InitcExit {
  pod: string;
  podClique: string;
  gang: string;
  /** The init container's `--podcliques` arguments, `<parent>:<min>`. */
  parents: { podClique: string; minAvailable: number }[];
  exitCode: number;
  /** The runner's clock, to the millisecond. */
  finishedAtMs: number;
  /** The event in which the report first appeared. */
  seq: number;
}

export interface StartupRecorder {
  /** `reached(gang, pclq, n)`: when the PodClique first had n Ready pods in the gang, if it has. */
  reached(gang: string, podClique: string, count: number): Reached | undefined;
  exits(): InitcExit[];
  /** Events seen so far. */
  events(): number;
  stop(): Promise<void>;
}

const key = (gang: string, pclq: string): string => `${gang}\u0000${pclq}`;

export function initcParents(pod: Pod): { podClique: string; minAvailable: number }[] | undefined {
  const c = pod.spec?.initContainers?.find((i) => i.name === INIT_CONTAINER_NAME);
  if (!c) return undefined;
  return (c.args ?? [])
    .filter((a) => a.startsWith('--podcliques='))
    .flatMap((a) => a.slice('--podcliques='.length).split(','))
    .map((p) => {
      const at = p.lastIndexOf(':');
      return { podClique: p.slice(0, at), minAvailable: Number(p.slice(at + 1)) };
    });
}

/** Ready, non-terminating pods per gang and PodClique. */
function readyCounts(pods: Iterable<Pod>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of pods) {
    const gang = p.metadata?.labels?.[LABEL_PODGANG];
    const pclq = p.metadata?.labels?.[LABEL_PODCLIQUE];
    if (!gang || !pclq || p.metadata?.deletionTimestamp || !isReady(p)) continue;
    counts.set(key(gang, pclq), (counts.get(key(gang, pclq)) ?? 0) + 1);
  }
  return counts;
}

/** The runner's report on the pod, if there is one. */
function exitOf(pod: Pod, seq: number): InitcExit | undefined {
  const annotations = pod.metadata?.annotations ?? {};
  const code = annotations[ANNOTATION_INITC_EXIT_CODE];
  if (code === undefined) return undefined;
  const labels = pod.metadata?.labels ?? {};
  return {
    pod: pod.metadata?.name ?? '',
    podClique: labels[LABEL_PODCLIQUE] ?? '',
    gang: labels[LABEL_PODGANG] ?? '',
    parents: initcParents(pod) ?? [],
    exitCode: Number(code),
    finishedAtMs: Date.parse(annotations[ANNOTATION_INITC_FINISHED_AT] ?? ''),
    seq,
  };
}

/** Start recording; resolves once the watch is established (before anything is created). */
export async function recordStartup(client: DynamicClient, namespace: string): Promise<StartupRecorder> {
  const pods = new Map<string, Pod>();
  const reached = new Map<string, Reached[]>();
  const exits = new Map<string, InitcExit>();
  let seq = 0;
  const list = await client.list(RESOURCES.pods, { namespace });
  for (const p of list.items) pods.set(p.metadata?.uid ?? '', p);
  const stop = new AbortController();
  let failure: unknown;

  const onPod = (type: string, pod: Pod): void => {
    seq++;
    const now = Date.now();
    const uid = pod.metadata?.uid ?? '';
    if (type === 'DELETED') pods.delete(uid);
    else pods.set(uid, pod);
    for (const [k, n] of readyCounts(pods.values())) {
      const list = reached.get(k) ?? [];
      while (list.length < n) list.push({ seq, atMs: now });
      reached.set(k, list);
    }
    const exit = exitOf(pod, seq);
    if (exit && !exits.has(uid)) exits.set(uid, exit);
  };

  const watching = client
    .watch<Pod>(RESOURCES.pods, { namespace, resourceVersion: list.resourceVersion, signal: stop.signal }, (e) => {
      if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') onPod(e.type, e.object);
      if (e.type === 'ERROR') failure = new Error(`pod watch in ${namespace} failed: ${JSON.stringify(e.object)}`);
    })
    .then(
      () => {
        // A watch that ends early would lose the order the assertions rely on; the tests need far less
        // than the server's minimum watch timeout (several minutes).
        if (!stop.signal.aborted) failure ??= new Error(`pod watch in ${namespace} ended early`);
      },
      (err: unknown) => {
        if (!stop.signal.aborted) failure ??= err;
      },
    );

  const check = (): void => {
    if (failure) throw failure;
  };
  return {
    reached: (gang, pclq, count) => (check(), reached.get(key(gang, pclq))?.[count - 1]),
    exits: () => (check(), [...exits.values()]),
    events: () => seq,
    stop: async () => {
      stop.abort();
      await watching;
    },
  };
}

/** For each exit: when its parents had all reached their minimum (the latest of them), or which parent had not. */
export function parentsReadyBefore(r: StartupRecorder, exit: InitcExit): { lastParent: Reached } | { missing: string } {
  let last: Reached | undefined;
  for (const p of exit.parents) {
    const at = r.reached(exit.gang, p.podClique, p.minAvailable);
    if (!at) return { missing: `${p.podClique} never had ${p.minAvailable} Ready pods in ${exit.gang}` };
    if (!last || at.seq > last.seq) last = at;
  }
  if (!last) return { missing: `${exit.pod} has no parents` };
  return { lastParent: last };
}
