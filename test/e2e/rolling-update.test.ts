// Rolling updates on the real local control plane (grove-compat §4.8, §9.4 RU/OD; copse's
// max-unavailable, partition and kill -9 mid-update). A pod watch records every pod deletion (the
// first deletionTimestamp of each uid) and every pod becoming Ready, in order; each test asserts
// exactly which pods went, in which order, against what Grove's rules say.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import { LABEL_PCS_REPLICA_INDEX, LABEL_POD_TEMPLATE_HASH, LABEL_PODCLIQUE } from '../../api/keys.js';
import { ANNOTATION_MAX_UNAVAILABLE, ANNOTATION_PARTITION } from '../../api/rules/update-policy.js';
import { SERVER_PROCESS, upStack } from '../../cli/stack.js';
import { stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { KubeError } from '../../kube/errors.js';
import { RESOURCES } from '../../kube/resources.js';
import { createNamespace, isReady, listIn, testClient } from '../support/dynamic.js';
import { groveSamplesPresent } from '../support/grove-samples.js';
import { eventually, kubectl } from '../support/kube.js';
import { groveWorkload } from '../support/workloads.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const present = groveSamplesPresent({ suite: 'rolling updates', suites: 1, sub: 'e2e-workloads' });
const STEP_MS = 300_000;

interface Seen {
  at: number;
  kind: 'deleted' | 'ready';
  pod: string;
  pclq: string;
  replica: number;
  hash: string;
}

/** Every pod deletion and Ready transition in the namespace, in the order the watch saw them. */
class PodLog {
  readonly events: Seen[] = [];
  private readonly deleted = new Set<string>();
  private readonly ready = new Set<string>();
  private readonly abort = new AbortController();

  start(namespace: string): void {
    const loop = async (): Promise<void> => {
      while (!this.abort.signal.aborted) {
        try {
          await client.watch(RESOURCES.pods, { namespace, signal: this.abort.signal, timeoutSeconds: 300 }, (e) => this.see(e.object));
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    void loop();
  }

  private see(p: Pod): void {
    const uid = p.metadata?.uid ?? '';
    const base = {
      at: Date.now(),
      pod: p.metadata?.name ?? '',
      pclq: p.metadata?.labels?.[LABEL_PODCLIQUE] ?? '',
      replica: Number(p.metadata?.labels?.[LABEL_PCS_REPLICA_INDEX] ?? -1),
      hash: p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] ?? '',
    };
    if (p.metadata?.deletionTimestamp && !this.deleted.has(uid)) {
      this.deleted.add(uid);
      this.events.push({ ...base, kind: 'deleted' });
    } else if (isReady(p) && !p.metadata?.deletionTimestamp && !this.ready.has(uid)) {
      this.ready.add(uid);
      this.events.push({ ...base, kind: 'ready' });
    }
  }

  deletions(pcs: string): Seen[] {
    return this.events.filter((e) => e.kind === 'deleted' && e.pclq.startsWith(`${pcs}-`));
  }

  stop(): void {
    this.abort.abort();
  }
}

let ns: { name: string; cleanup: () => Promise<void> };
const log = new PodLog();

beforeAll(async () => {
  ns = await createNamespace(client, 'rollout');
  log.start(ns.name);
});

afterAll(async () => {
  log.stop();
  await upStack({ log: () => {} });
  await ns?.cleanup();
});

async function create(file: string, name: string, replicas: number, annotations: Record<string, string> = {}): Promise<void> {
  const pcs = groveWorkload(file, ns.name);
  await client.create(RESOURCES.podCliqueSets, {
    ...pcs,
    metadata: { ...pcs.metadata, name, annotations: { ...pcs.metadata.annotations, ...annotations } },
    spec: { ...pcs.spec, replicas },
  });
}

const pods = async (pcs: string) => (await listIn(client, RESOURCES.pods, ns.name, `app.kubernetes.io/part-of=${pcs}`)).filter((p) => !p.metadata?.deletionTimestamp);
const getPcs = async (name: string) => (await client.get(RESOURCES.podCliqueSets, name, ns.name)) as PodCliqueSet;

async function allReady(pcs: string, count: number): Promise<Pod[]> {
  return eventually(`${count} Ready pods of ${pcs}`, async () => {
    const ps = await pods(pcs);
    return ps.length === count && ps.every(isReady) ? ps : undefined;
  }, STEP_MS, 500);
}

/** Sets an env var on the given cliques: a template change that makes new pod template hashes. */
async function changeTemplate(name: string, cliques: string[], value: string): Promise<void> {
  // Read-modify-write; the controllers write the object too (finalizer), so a conflict is retried.
  await eventually(`${name}: template changed`, async () => {
    const pcs = await getPcs(name);
    for (const c of pcs.spec.template.cliques) {
      if (!cliques.includes(c.name)) continue;
      const main = c.spec.podSpec.containers[0];
      if (main) main.env = [...(main.env ?? []).filter((e) => e.name !== 'ROLL'), { name: 'ROLL', value }];
    }
    try {
      await client.update(RESOURCES.podCliqueSets, pcs);
      return true;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'Conflict') return undefined;
      throw err;
    }
  }, 30_000, 200);
}

async function updateEnded(name: string): Promise<PodCliqueSet> {
  return eventually(`${name}: update ended with every replica updated`, async () => {
    const pcs = await getPcs(name);
    const p = pcs.status?.updateProgress;
    return p?.updateEndedAt && !p.currentlyUpdating && pcs.status?.updatedReplicas === pcs.spec.replicas ? pcs : undefined;
  }, STEP_MS, 500);
}

/** Between two deletions of one PodClique, a pod of the new template of that PodClique became Ready. */
function oneAtATime(pclq: string, newHash: string): void {
  const mine = log.events.filter((e) => e.pclq === pclq);
  let readySinceDelete = true;
  for (const e of mine) {
    if (e.kind === 'deleted') {
      expect(readySinceDelete, `${pclq}: ${e.pod} deleted before the previous replacement was Ready`).toBe(true);
      readySinceDelete = false;
    } else if (e.hash === newHash) readySinceDelete = true;
  }
}

describe.skipIf(!present)('RollingRecreate', { timeout: 3 * STEP_MS }, () => {
  it('RU7: a pc-a change replaces pc-a pods one at a time, replica 0 entirely before replica 1; nothing else is touched', async () => {
    await create('workload1.yaml', 'ru7', 2);
    const before = await allReady('ru7', 20);
    const oldA = before.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE]?.endsWith('-pc-a')).map((p) => p.metadata?.name).sort();
    await changeTemplate('ru7', ['pc-a'], 'v2');
    const done = await updateEnded('ru7');
    const deleted = log.deletions('ru7');
    expect(deleted.map((d) => d.pod).sort()).toEqual(oldA);
    expect(deleted.map((d) => d.replica)).toEqual([0, 0, 1, 1]);
    const newHash = (await pods('ru7')).find((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'ru7-0-pc-a')?.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] ?? '';
    oneAtATime('ru7-0-pc-a', newHash);
    oneAtATime('ru7-1-pc-a', newHash);
    expect(done.status?.updateProgress).toMatchObject({ updatedPodCliquesCount: 2, totalPodCliquesCount: 2, updatedPodCliqueScalingGroupsCount: 2, totalPodCliqueScalingGroupsCount: 2 });
    const pclq = await client.get(RESOURCES.podCliques, 'ru7-1-pc-a', ns.name);
    expect(pclq.status?.updateProgress?.updateEndedAt).toBeDefined();
    expect(pclq.status?.updateProgress?.readyPodsSelectedToUpdate).toBeUndefined();
  });

  it('grove#565: scaling the PodCliqueSet starts no update and deletes nothing', async () => {
    const before = (await getPcs('ru7')).status?.updateProgress;
    const deletedBefore = log.deletions('ru7').length;
    const r = await kubectl(kubeconfig, ['-n', ns.name, 'scale', 'podcliqueset', 'ru7', '--replicas=3']);
    expect(r.code, r.stderr).toBe(0);
    await allReady('ru7', 30);
    const after = (await getPcs('ru7')).status?.updateProgress;
    expect(after?.updateStartedAt).toBe(before?.updateStartedAt);
    expect(after?.currentlyUpdating).toBeUndefined();
    expect(log.deletions('ru7').length).toBe(deletedBefore);
  });

  it('RU8: a pc-b change recreates scaling-group replicas one at a time (pc-b and pc-c of sg-x-0, then of sg-x-1); pc-a untouched', async () => {
    await create('workload1.yaml', 'ru8', 1);
    await allReady('ru8', 10);
    await changeTemplate('ru8', ['pc-b'], 'v2');
    await updateEnded('ru8');
    const deleted = log.deletions('ru8');
    expect(deleted.every((d) => d.pclq.startsWith('ru8-0-sg-x-'))).toBe(true);
    const groups = deleted.map((d) => d.pclq.replace(/^ru8-0-sg-x-(\d+)-.*$/, '$1'));
    expect(groups).toEqual(['0', '0', '0', '0', '1', '1', '1', '1']);
  });
});

describe.skipIf(!present)('copse update annotations', { timeout: 3 * STEP_MS }, () => {
  it('max-unavailable 2: two replicas at once, the third after one of them is done', async () => {
    await create('workload1.yaml', 'mu', 3, { [ANNOTATION_MAX_UNAVAILABLE]: '2' });
    await allReady('mu', 30);
    await changeTemplate('mu', ['pc-a'], 'v2');
    const firstTwo = await eventually('two replicas updating', async () => {
      const n = (await getPcs('mu')).status?.updateProgress?.currentlyUpdating?.map((c) => c.replicaIndex) ?? [];
      return n.length === 2 ? n : undefined;
    }, STEP_MS, 200);
    expect(firstTwo).toEqual([0, 1]);
    await updateEnded('mu');
    const order = log.deletions('mu').map((d) => d.replica);
    expect(order.filter((r) => r === 2)).toHaveLength(2);
    // Replica 2 starts only once 0 or 1 finished: its first delete comes after both 0 and 1 began.
    expect(order.indexOf(2)).toBeGreaterThan(Math.max(order.indexOf(0), order.indexOf(1)));
  });

  it('partition 1: replica 0 keeps its template (even a pod recreated there); lowering it to 0 rolls replica 0', async () => {
    await create('workload1.yaml', 'part', 2, { [ANNOTATION_PARTITION]: '1' });
    const before = await allReady('part', 20);
    const oldHash = before.find((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'part-0-pc-a')?.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH];
    await changeTemplate('part', ['pc-a'], 'v2');
    await eventually('part: update ended', async () => (await getPcs('part')).status?.updateProgress?.updateEndedAt !== undefined ? true : undefined, STEP_MS, 500);
    const deleted = log.deletions('part');
    expect(deleted.map((d) => d.pclq)).toEqual(['part-1-pc-a', 'part-1-pc-a']);
    const victim = (await pods('part')).find((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'part-0-pc-a');
    await client.delete(RESOURCES.pods, victim?.metadata?.name ?? '', ns.name);
    const again = await allReady('part', 20);
    expect(again.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'part-0-pc-a').map((p) => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH])).toEqual([oldHash, oldHash]);
    const r = await kubectl(kubeconfig, ['-n', ns.name, 'annotate', 'podcliqueset', 'part', `${ANNOTATION_PARTITION}=0`, '--overwrite']);
    expect(r.code, r.stderr).toBe(0);
    await updateEnded('part');
    expect(log.deletions('part').slice(3).map((d) => d.pclq)).toEqual(['part-0-pc-a', 'part-0-pc-a']);
  });

  it('the webhook refuses a bad annotation, naming it', async () => {
    const r = await kubectl(kubeconfig, ['-n', ns.name, 'annotate', 'podcliqueset', 'part', `${ANNOTATION_PARTITION}=-1`, '--overwrite']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('metadata.annotations[update.copse.io/partition]: Invalid value: "-1"');
  });
});

describe.skipIf(!present)('OnDelete', { timeout: 2 * STEP_MS }, () => {
  it('OD1/OD2/OD3: nothing is deleted; a deleted pod comes back new; scale-in removes the outdated pod', async () => {
    await create('workload-ondelete.yaml', 'od', 1);
    await allReady('od', 10);
    await changeTemplate('od', ['pc-a'], 'v2');
    await eventually('od: update recorded as ended', async () => (await getPcs('od')).status?.updateProgress?.updateEndedAt !== undefined ? true : undefined, STEP_MS, 500);
    await new Promise((r) => setTimeout(r, 5000));
    expect(log.deletions('od')).toEqual([]);
    const a = (await pods('od')).filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'od-0-pc-a');
    const oldHash = a[0]?.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH];
    await client.delete(RESOURCES.pods, a[0]?.metadata?.name ?? '', ns.name);
    const mixed = await allReady('od', 10);
    const hashes = mixed.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'od-0-pc-a').map((p) => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH]);
    expect(hashes.filter((h) => h === oldHash)).toHaveLength(1);
    const r = await kubectl(kubeconfig, ['-n', ns.name, 'scale', 'podclique', 'od-0-pc-a', '--replicas=1']);
    expect(r.code, r.stderr).toBe(0);
    const left = await allReady('od', 9);
    expect(left.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'od-0-pc-a').map((p) => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH])).not.toContain(oldHash);
    expect(log.deletions('od').map((d) => d.pod)).toEqual([a[0]?.metadata?.name, a[1]?.metadata?.name]);
  });
});

describe.skipIf(!present)('kill -9 of the copse server mid-update', { timeout: 3 * STEP_MS }, () => {
  it('resumes, deletes every outdated pod exactly once and no new pod, and finishes', async () => {
    await create('workload1.yaml', 'crash', 2);
    const before = await allReady('crash', 20);
    await changeTemplate('crash', ['pc-a', 'pc-b'], 'v2');
    await eventually('a first deletion', async () => (log.deletions('crash').length > 0 ? true : undefined), STEP_MS, 100);
    const rec = readRecord(stateDir(), SERVER_PROCESS);
    if (!rec || !isRunning(rec)) throw new Error('the copse server is not running');
    process.kill(rec.pid, 'SIGKILL');
    await eventually('the copse server to be gone', async () => !isRunning(rec));
    await upStack({ log: () => {} });
    await updateEnded('crash');
    const deleted = log.deletions('crash');
    const names = deleted.map((d) => d.pod);
    expect(new Set(names).size).toBe(names.length);
    // Every outdated pc-a pod and every pod of the recreated group replicas (pc-b, pc-c); all of the old generation.
    const oldNames = new Set(before.map((p) => p.metadata?.name));
    expect(names.every((n) => oldNames.has(n))).toBe(true);
    expect(names.filter((n) => n.includes('-pc-a-'))).toHaveLength(4);
    expect(names).toHaveLength(20);
  });
});
