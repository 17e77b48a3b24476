// Startup ordering end to end (grove-compat §4.7, §9.2 SO1–SO4): Grove's e2e workloads on the real
// control plane, where the startup webhook injects `grove-initc` and the local runner executes the
// real `copse initc` for every ordered pod on the simulated nodes. For every child pod:
//  - its init container carries exactly the parents Grove resolves (base and scaled gangs apart);
//  - in the one ordered stream of pod events, every parent had reached its minAvailable Ready pods
//    before the runner reported the child's exit (the exact proof), and
//  - Ready timestamps say the same: the minAvailable-th parent pod was Ready no later than the
//    child's init container finished (Grove's SO assertion; the status keeps whole seconds).
// Then Grove's two gaps (§10.9, §10.21): parents matched by exact label, never by name prefix or by
// template suffix (`worker`, `workerx`, `pworker`), and a parent that never becomes Ready with the
// startup timeout set, which fails the child's init container with a message naming the parent.
// The latency from the last parent Ready to the init program's exit is printed at the end.
import { loadAllYaml } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import { INIT_CONTAINER_NAME, LABEL_PART_OF, LABEL_PODCLIQUE, LABEL_PODGANG } from '../../api/keys.js';
import { ANNOTATION_SIM_READY } from '../../cluster/kwok-stages.js';
import { RESOURCES } from '../../kube/resources.js';
import { summarize } from '../bench/stats.js';
import { createNamespace, isReady, listIn, readyPods, testClient } from '../support/dynamic.js';
import { groveSamplesPresent, groveSamplesRoot } from '../support/grove-samples.js';
import { eventually } from '../support/kube.js';
import { initcParents, parentsReadyBefore, recordStartup, type InitcExit, type StartupRecorder } from '../support/startup-order.js';

const client = testClient(inject('kubeconfig'));
const present = groveSamplesPresent({ suite: 'startup ordering: Grove SO1–SO4', suites: 1, sub: 'e2e-workloads' });
const cleanups: (() => Promise<void>)[] = [];
/**
 * Milliseconds from the last parent Ready (as the watch saw it) to the init program's exit (runner
 * clock). In the SO runs the children's programs start while their parents start, so this includes
 * the program's own start-up; test/bench/startup.ts measures programs already waiting.
 */
const latencies: number[] = [];

afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
  if (latencies.length > 0) {
    const s = summarize('last parent Ready → copse initc exit', latencies, 1);
    console.log(`startup ordering: ${s.name}: n=${s.iterations} p50=${s.p50Ms} ms p99=${s.p99Ms} ms max=${s.maxMs} ms`);
  }
});

/** A Grove e2e workload as written, in `namespace`, for kube-scheduler (no KAI here). */
function groveWorkload(file: string, namespace: string): PodCliqueSet {
  const docs = loadAllYaml(readFileSync(join(groveSamplesRoot(), 'e2e-workloads', file), 'utf8')) as PodCliqueSet[];
  const pcs = docs.find((d) => d?.kind === 'PodCliqueSet');
  if (!pcs) throw new Error(`${file}: no PodCliqueSet`);
  for (const c of pcs.spec.template.cliques) delete c.spec.podSpec.schedulerName;
  return { ...pcs, metadata: { ...pcs.metadata, namespace } };
}

/** A small PodCliqueSet of our own: Explicit order, one container per pod. */
function ownWorkload(name: string, namespace: string, cliques: { name: string; replicas: number; minAvailable: number; startsAfter?: string[]; annotations?: Record<string, string> }[]): PodCliqueSet {
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      template: {
        cliqueStartupType: 'CliqueStartupTypeExplicit',
        cliques: cliques.map((c) => ({
          name: c.name,
          ...(c.annotations ? { annotations: c.annotations } : {}),
          spec: {
            roleName: c.name,
            replicas: c.replicas,
            minAvailable: c.minAvailable,
            ...(c.startsAfter ? { startsAfter: c.startsAfter } : {}),
            podSpec: { terminationGracePeriodSeconds: 1, containers: [{ name: c.name, image: 'busybox', resources: { requests: { memory: '80Mi' } } }] },
          },
        })),
      },
    },
  } as PodCliqueSet;
}

async function start(prefix: string, make: (ns: string) => PodCliqueSet): Promise<{ ns: string; pcs: PodCliqueSet; rec: StartupRecorder }> {
  const ns = await createNamespace(client, prefix);
  cleanups.push(ns.cleanup);
  const rec = await recordStartup(client, ns.name);
  cleanups.unshift(() => rec.stop());
  const pcs = make(ns.name);
  await client.create(RESOURCES.podCliqueSets, pcs);
  return { ns: ns.name, pcs, rec };
}

/** PodClique → its pods' `--podcliques` arguments ('' for pods without the init container). */
function argsByPodClique(pods: readonly Pod[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pods) {
    const parents = initcParents(p);
    const text = parents ? parents.map((q) => `${q.podClique}:${q.minAvailable}`).join(' ') : '';
    const pclq = p.metadata?.labels?.[LABEL_PODCLIQUE] ?? '';
    if (out[pclq] !== undefined && out[pclq] !== text) throw new Error(`${pclq}: pods disagree on their parents: "${out[pclq]}" vs "${text}"`);
    out[pclq] = text;
  }
  return out;
}

const readySeconds = (p: Pod): number => Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
const initFinishedSeconds = (p: Pod): number => {
  const s = p.status?.initContainerStatuses?.find((c) => c.name === INIT_CONTAINER_NAME)?.state?.terminated?.finishedAt;
  return Date.parse(typeof s === 'string' ? s : (s as Date | undefined)?.toISOString() ?? '');
};

/**
 * The proof for every ordered pod: it exited 0, after its parents reached their minimum in the event
 * stream and (whole seconds) by the Ready timestamps. Returns the exits checked.
 */
function assertOrdered(rec: StartupRecorder, pods: readonly Pod[]): InitcExit[] {
  const ordered = pods.filter((p) => initcParents(p) !== undefined);
  const exits = rec.exits();
  expect(exits.map((e) => e.pod).sort()).toEqual(ordered.map((p) => p.metadata?.name).sort());
  for (const exit of exits) {
    expect({ pod: exit.pod, exitCode: exit.exitCode }).toEqual({ pod: exit.pod, exitCode: 0 });
    const before = parentsReadyBefore(rec, exit);
    if ('missing' in before) throw new Error(`${exit.pod}: ${before.missing}`);
    expect(before.lastParent.seq, `${exit.pod}: its parents' minimum came before its exit in the event stream`).toBeLessThan(exit.seq);
    latencies.push(exit.finishedAtMs - before.lastParent.atMs);

    const child = pods.find((p) => p.metadata?.name === exit.pod);
    if (!child) throw new Error(`${exit.pod} is gone`);
    const finished = initFinishedSeconds(child);
    expect(Number.isFinite(finished), `${exit.pod}: init container finishedAt`).toBe(true);
    for (const parent of exit.parents) {
      const parentReady = pods
        .filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === parent.podClique && isReady(p))
        .map(readySeconds)
        .sort((a, b) => a - b);
      const atMin = parentReady[parent.minAvailable - 1];
      expect(atMin, `${exit.pod}: ${parent.podClique} has ${parent.minAvailable} Ready pods`).toBeDefined();
      expect(atMin, `${exit.pod}: ${parent.podClique} reached ${parent.minAvailable} Ready by ${new Date(finished).toISOString()}`).toBeLessThanOrEqual(finished);
    }
  }
  return exits;
}

/** The expected arguments with the `<pcs>-0-` prefix put back on every PodClique name. */
function withPrefix(prefix: string, parents: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(parents).map(([pclq, args]) => [prefix + pclq, args === '' ? '' : args.split(' ').map((a) => prefix + a).join(' ')]));
}

/** What a pod shows of its failed init container. */
function failedInit(p: Pod) {
  const terminated = p.status?.initContainerStatuses?.find((c) => c.name === INIT_CONTAINER_NAME)?.state?.terminated;
  return {
    args: p.spec?.initContainers?.find((c) => c.name === INIT_CONTAINER_NAME)?.args,
    exitCode: terminated?.exitCode,
    reason: terminated?.reason,
    message: terminated?.message,
    phase: p.status?.phase,
    ready: isReady(p),
    containers: p.status?.containerStatuses?.map((c) => c.state?.waiting?.reason),
  };
}

interface SoCase {
  id: string;
  file: string;
  pods: number;
  /** PodClique (without the `<pcs>-0-` prefix) → its parents' arguments (without that prefix either). */
  parents: Record<string, string>;
}

const SO: SoCase[] = [
  {
    id: 'SO1 InOrder, base gang: pc-a → pc-b (both sg-x replicas) → pc-c',
    file: 'workload3.yaml',
    pods: 10,
    parents: {
      'pc-a': '',
      'sg-x-0-pc-b': 'pc-a:2',
      'sg-x-1-pc-b': 'pc-a:2',
      'sg-x-0-pc-c': 'sg-x-0-pc-b:1 sg-x-1-pc-b:1',
      'sg-x-1-pc-c': 'sg-x-0-pc-b:1 sg-x-1-pc-b:1',
    },
  },
  {
    id: 'SO2 InOrder with minimums: the base gang orders pc-a → sg-x-0 pc-b → pc-c; the scaled gang sg-x-1 orders pc-b → pc-c on its own',
    file: 'workload4.yaml',
    pods: 10,
    parents: {
      'pc-a': '',
      'sg-x-0-pc-b': 'pc-a:1',
      'sg-x-0-pc-c': 'sg-x-0-pc-b:1',
      'sg-x-1-pc-b': '',
      'sg-x-1-pc-c': 'sg-x-1-pc-b:1',
    },
  },
  {
    id: 'SO3 Explicit: pc-a → pc-c (both replicas) → pc-b',
    file: 'workload5.yaml',
    pods: 10,
    parents: {
      'pc-a': '',
      'sg-x-0-pc-c': 'pc-a:2',
      'sg-x-1-pc-c': 'pc-a:2',
      'sg-x-0-pc-b': 'sg-x-0-pc-c:3 sg-x-1-pc-c:3',
      'sg-x-1-pc-b': 'sg-x-0-pc-c:3 sg-x-1-pc-c:3',
    },
  },
  {
    id: 'SO4 Explicit with minimums: pc-a → sg-x-0 pc-b → pc-c in the base gang; sg-x-1 pc-b → pc-c in the scaled gang',
    file: 'workload6.yaml',
    pods: 10,
    parents: {
      'pc-a': '',
      'sg-x-0-pc-b': 'pc-a:1',
      'sg-x-0-pc-c': 'sg-x-0-pc-b:1',
      'sg-x-1-pc-b': '',
      'sg-x-1-pc-c': 'sg-x-1-pc-b:1',
    },
  },
];

describe.skipIf(!present)("Grove's startup-ordering scenarios (SO1–SO4)", () => {
  it.each(SO.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const { ns, pcs, rec } = await start(`so-${c.file.replace(/\D/g, '')}`, (n) => groveWorkload(c.file, n));
    const name = pcs.metadata.name ?? '';
    const pods = await readyPods(client, ns, c.pods, `${LABEL_PART_OF}=${name}`, 180_000);

    expect(argsByPodClique(pods)).toEqual(withPrefix(`${name}-0-`, c.parents));

    const exits = assertOrdered(rec, pods);
    expect(exits.length).toBe(pods.filter((p) => initcParents(p)).length);
    // Scaled gangs wait only for parents inside their own gang.
    const gangOf = (pclq: string) => pods.find((q) => q.metadata?.labels?.[LABEL_PODCLIQUE] === pclq)?.metadata?.labels?.[LABEL_PODGANG];
    expect(exits.flatMap((e) => e.parents.map((p) => `${e.pod} ${gangOf(p.podClique)}`))).toEqual(exits.flatMap((e) => e.parents.map(() => `${e.pod} ${e.gang}`)));
  });
});

describe("Grove's gaps in the init program, fixed", () => {
  it('parents are matched by exact label: neither `workerx` (name prefix) nor `pworker` (template suffix) stands in for `worker`', async () => {
    const { ns, rec } = await start('so-collide', (n) =>
      ownWorkload('nc', n, [
        { name: 'pworker', replicas: 1, minAvailable: 1 },
        { name: 'workerx', replicas: 3, minAvailable: 3 },
        { name: 'worker', replicas: 3, minAvailable: 3, annotations: { [ANNOTATION_SIM_READY]: 'false' } },
        { name: 'router', replicas: 1, minAvailable: 1, startsAfter: ['worker'] },
      ]),
    );
    // pworker and workerx Ready, worker running unready, router waiting in its init container.
    await readyPods(client, ns, 4, `${LABEL_PODCLIQUE} in (nc-0-pworker,nc-0-workerx)`, 120_000);
    const router = await eventually(
      'the router waiting in copse initc',
      async () => {
        const [p] = await listIn(client, RESOURCES.pods, ns, `${LABEL_PODCLIQUE}=nc-0-router`);
        return p?.status?.initContainerStatuses?.find((c) => c.name === INIT_CONTAINER_NAME)?.state?.running ? p : undefined;
      },
      120_000,
    );
    expect(initcParents(router)).toEqual([{ podClique: 'nc-0-worker', minAvailable: 3 }]);
    const workers = await eventually(
      'three worker pods running unready',
      async () => {
        const ps = await listIn(client, RESOURCES.pods, ns, `${LABEL_PODCLIQUE}=nc-0-worker`);
        return ps.length === 3 && ps.every((p) => p.status?.phase === 'Running' && !isReady(p)) ? ps : undefined;
      },
      120_000,
    );

    // Two of three workers Ready: still below worker's own minimum (3), which pworker's (1) would satisfy.
    const wake = (p: Pod) => client.patch(RESOURCES.pods, p.metadata?.name ?? '', ns, { metadata: { annotations: { [ANNOTATION_SIM_READY]: 'true' } } });
    await wake(workers[0]!);
    await wake(workers[1]!);
    await eventually('two worker pods Ready', async () => rec.reached('nc-0', 'nc-0-worker', 2), 60_000);
    // Give the init program time to (wrongly) exit on prefix or suffix matches: it has seen every event by now.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(rec.exits()).toEqual([]);

    await wake(workers[2]!);
    const pods = await readyPods(client, ns, 8, `${LABEL_PART_OF}=nc`, 120_000);
    const [exit] = assertOrdered(rec, pods);
    expect(exit?.pod).toBe(router.metadata?.name);
    const lastParent = rec.reached('nc-0', 'nc-0-worker', 3);
    expect(parentsReadyBefore(rec, exit!)).toEqual({ lastParent });
    console.log(`startup ordering: a waiting copse initc exited ${exit!.finishedAtMs - lastParent!.atMs} ms after its last parent was Ready`);
  });

  it("a parent that never becomes Ready fails the child's init container after the startup timeout, naming the parent", async () => {
    const { ns, rec } = await start('so-timeout', (n) =>
      ownWorkload('nr', n, [
        { name: 'leader', replicas: 1, minAvailable: 1, annotations: { [ANNOTATION_SIM_READY]: 'false' } },
        { name: 'worker', replicas: 2, minAvailable: 2, startsAfter: ['leader'], annotations: { 'copse.io/startup-timeout': '5s' } },
      ]),
    );
    const failed = await eventually(
      'both workers with a failed init container',
      async () => {
        const ps = await listIn(client, RESOURCES.pods, ns, `${LABEL_PODCLIQUE}=nr-0-worker`);
        return ps.length === 2 && ps.every((p) => p.status?.initContainerStatuses?.find((c) => c.name === INIT_CONTAINER_NAME)?.state?.terminated) ? ps : undefined;
      },
      120_000,
    );
    const message = `copse initc: timed out after 5s waiting for parents in PodGang nr-0: PodClique ${ns}/nr-0-leader has 0 of 1 required pods Ready`;
    // restartPolicy Always: the pods stay Pending with their containers never started.
    expect(failed.map(failedInit)).toEqual(
      failed.map(() => ({ args: ['--podcliques=nr-0-leader:1', '--timeout=5s'], exitCode: 3, reason: 'Error', message, phase: 'Pending', ready: false, containers: ['PodInitializing'] })),
    );
    const exits = rec.exits();
    expect(exits.map((e) => e.exitCode)).toEqual([3, 3]);
    const [leader] = await listIn(client, RESOURCES.pods, ns, `${LABEL_PODCLIQUE}=nr-0-leader`);
    expect(leader?.status?.phase).toBe('Running');
    expect(isReady(leader!)).toBe(false);
  });
});
