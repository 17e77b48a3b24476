// Rolling updates on the real local control plane (grove-compat §4.8, §9.4 RU/OD; copse's
// max-unavailable, partition and kill -9 mid-update). A pod watch (test/support/rollout.ts) records
// every pod deletion and every pod becoming Ready, in order; each test asserts exactly which pods
// went, in which order, against what Grove's rules say. RU9-RU21 are in rolling-update-more.test.ts,
// OD4-OD9 in rolling-update-ondelete.test.ts.
import { describe, expect, inject, it } from 'vitest';
import { LABEL_PCS_REPLICA_INDEX, LABEL_POD_TEMPLATE_HASH, LABEL_PODCLIQUE } from '../../api/keys.js';
import type { Pod } from '../../api/core/wire.js';
import { ANNOTATION_COHERENT, ANNOTATION_MAX_UNAVAILABLE, ANNOTATION_PARTITION } from '../../api/rules/update-policy.js';
import { SERVER_PROCESS, upStack } from '../../cli/stack.js';
import { stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { RESOURCES } from '../../kube/resources.js';
import { testClient } from '../support/dynamic.js';
import { groveSamplesPresent } from '../support/grove-samples.js';
import { eventually, kubectl } from '../support/kube.js';
import { STEP_MS, rolloutSuite, cliqueOf, hashOf, nameOf, pclqOf } from '../support/rollout.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const present = groveSamplesPresent({ suite: 'rolling updates', suites: 1, sub: 'e2e-workloads' });
const suite = rolloutSuite(client, 'rollout', { restoreStack: true });

describe.skipIf(!present)('RollingRecreate', { timeout: 3 * STEP_MS }, () => {
  it('RU7: a pc-a change replaces pc-a pods one at a time, replica 0 entirely before replica 1; nothing else is touched', async () => {
    await suite.rt.create('workload1.yaml', 'ru7', 2);
    const before = await suite.rt.allReady('ru7', 20);
    const oldA = before.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE]?.endsWith('-pc-a')).map((p) => p.metadata?.name).sort();
    await suite.rt.changeTemplate('ru7', ['pc-a'], 'v2');
    const done = await suite.rt.updateEnded('ru7');
    const deleted = suite.rt.log.deletions('ru7');
    expect(deleted.map((d) => d.pod).sort()).toEqual(oldA);
    expect(deleted.map((d) => d.replica)).toEqual([0, 0, 1, 1]);
    const newHash = (await suite.rt.pods('ru7')).find((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'ru7-0-pc-a')?.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] ?? '';
    suite.rt.oneAtATime('ru7-0-pc-a', newHash);
    suite.rt.oneAtATime('ru7-1-pc-a', newHash);
    expect(done.status?.updateProgress).toMatchObject({ updatedPodCliquesCount: 2, totalPodCliquesCount: 2, updatedPodCliqueScalingGroupsCount: 2, totalPodCliqueScalingGroupsCount: 2 });
    const pclq = await client.get(RESOURCES.podCliques, 'ru7-1-pc-a', suite.ns);
    expect(pclq.status?.updateProgress?.updateEndedAt).toBeDefined();
    expect(pclq.status?.updateProgress?.readyPodsSelectedToUpdate).toBeUndefined();
  });

  it('grove#565: scaling the PodCliqueSet starts no update and deletes nothing', async () => {
    const before = (await suite.rt.getPcs('ru7')).status?.updateProgress;
    const deletedBefore = suite.rt.log.deletions('ru7').length;
    const r = await kubectl(kubeconfig, ['-n', suite.ns, 'scale', 'podcliqueset', 'ru7', '--replicas=3']);
    expect(r.code, r.stderr).toBe(0);
    await suite.rt.allReady('ru7', 30);
    const after = (await suite.rt.getPcs('ru7')).status?.updateProgress;
    expect(after?.updateStartedAt).toBe(before?.updateStartedAt);
    expect(after?.currentlyUpdating).toBeUndefined();
    expect(suite.rt.log.deletions('ru7').length).toBe(deletedBefore);
  });

  it('RU8: a pc-b change recreates scaling-group replicas one at a time (pc-b and pc-c of sg-x-0, then of sg-x-1); pc-a untouched', async () => {
    await suite.rt.create('workload1.yaml', 'ru8', 1);
    await suite.rt.allReady('ru8', 10);
    await suite.rt.changeTemplate('ru8', ['pc-b'], 'v2');
    await suite.rt.updateEnded('ru8');
    const deleted = suite.rt.log.deletions('ru8');
    expect(deleted.every((d) => d.pclq.startsWith('ru8-0-sg-x-'))).toBe(true);
    const groups = deleted.map((d) => d.pclq.replace(/^ru8-0-sg-x-(\d+)-.*$/, '$1'));
    expect(groups).toEqual(['0', '0', '0', '0', '1', '1', '1', '1']);
  });
});

describe.skipIf(!present)('copse update annotations', { timeout: 3 * STEP_MS }, () => {
  it('max-unavailable 2: two replicas at once, the third after one of them is done', async () => {
    await suite.rt.create('workload1.yaml', 'mu', 3, { [ANNOTATION_MAX_UNAVAILABLE]: '2' });
    await suite.rt.allReady('mu', 30);
    await suite.rt.changeTemplate('mu', ['pc-a'], 'v2');
    const firstTwo = await eventually('two replicas updating', async () => {
      const n = (await suite.rt.getPcs('mu')).status?.updateProgress?.currentlyUpdating?.map((c) => c.replicaIndex) ?? [];
      return n.length === 2 ? n : undefined;
    }, STEP_MS, 200);
    expect(firstTwo).toEqual([0, 1]);
    await suite.rt.updateEnded('mu');
    const order = suite.rt.log.deletions('mu').map((d) => d.replica);
    expect(order.filter((r) => r === 2)).toHaveLength(2);
    // Replica 2 starts only once 0 or 1 finished: its first delete comes after every delete of one of
    // them. (Not after both began: replica 0 can finish before replica 1, though updating, deletes anything.)
    expect(order.indexOf(2)).toBeGreaterThan(Math.min(order.lastIndexOf(0), order.lastIndexOf(1)));
  });

  it('coherent: a replica never runs two templates of its roles together, and the replicas go in turn', async () => {
    await suite.rt.create('workload1.yaml', 'coh', 2, { [ANNOTATION_COHERENT]: 'true' });
    const before = await suite.rt.allReady('coh', 20);
    const oldHashes = new Set(before.filter((p) => ['pc-a', 'pc-b'].includes(cliqueOf(pclqOf(p)))).map(hashOf));
    // Per replica, the pods of the changed roles on an old template that still exist (terminating
    // included, until their DELETED event); a new-template pod born while any exists is a violation.
    const liveOld = new Map<number, Set<string>>();
    const violations: string[] = [];
    const births: { replica: number; pod: string; at: number }[] = [];
    const replicaOf = (p: Pod) => Number(p.metadata?.labels?.[LABEL_PCS_REPLICA_INDEX] ?? -1);
    const abort = new AbortController();
    const watching = client
      .watch(RESOURCES.pods, { namespace: suite.ns, labelSelector: 'app.kubernetes.io/part-of=coh', signal: abort.signal, timeoutSeconds: 600 }, (e) => {
        const p = e.object as Pod;
        const r = replicaOf(p);
        const old = oldHashes.has(hashOf(p)) && ['pc-a', 'pc-b'].includes(cliqueOf(pclqOf(p)));
        const set = liveOld.get(r) ?? new Set<string>();
        liveOld.set(r, set);
        if (e.type === 'DELETED') {
          set.delete(nameOf(p));
          return;
        }
        if (old) {
          set.add(nameOf(p));
          return;
        }
        if (e.type === 'ADDED' && !before.some((b) => nameOf(b) === nameOf(p))) {
          births.push({ replica: r, pod: nameOf(p), at: Date.now() });
          if (set.size > 0) violations.push(`${nameOf(p)} created while replica ${r} still had ${[...set].join(', ')}`);
        }
      })
      .catch(() => undefined);
    await eventually('the watch to list the old pods', async () => [...liveOld.values()].reduce((n, s) => n + s.size, 0) === before.filter((p) => oldHashes.has(hashOf(p))).length, 30_000, 100);
    await suite.rt.changeTemplate('coh', ['pc-a', 'pc-b'], 'v2');
    const pcs = await suite.rt.updateEnded('coh');
    abort.abort();
    await watching;
    expect(violations).toEqual([]);
    // Every pod of the changed roles runs the new template; each replica was replaced whole.
    const after = await suite.rt.allReady('coh', 20);
    expect(after.filter((p) => ['pc-a', 'pc-b'].includes(cliqueOf(pclqOf(p))) && oldHashes.has(hashOf(p)))).toEqual([]);
    expect(new Set(births.map((b) => b.replica))).toEqual(new Set([0, 1]));
    // max-unavailable 1: every deletion of the first replica comes before any of the second.
    const deletions = suite.rt.log.deletions('coh').map((d) => d.replica);
    const first = deletions[0];
    expect(deletions.slice(0, deletions.lastIndexOf(first ?? -1) + 1).every((r) => r === first)).toBe(true);
    expect(deletions.slice(deletions.lastIndexOf(first ?? -1) + 1).every((r) => r !== first)).toBe(true);
    expect(pcs.status?.updateProgress?.updateEndedAt).toBeDefined();
  });

  it('partition 1: replica 0 keeps its template (even a pod recreated there); lowering it to 0 rolls replica 0', async () => {
    await suite.rt.create('workload1.yaml', 'part', 2, { [ANNOTATION_PARTITION]: '1' });
    const before = await suite.rt.allReady('part', 20);
    const oldHash = before.find((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'part-0-pc-a')?.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH];
    await suite.rt.changeTemplate('part', ['pc-a'], 'v2');
    await eventually('part: update ended', async () => (await suite.rt.getPcs('part')).status?.updateProgress?.updateEndedAt !== undefined ? true : undefined, STEP_MS, 500);
    const deleted = suite.rt.log.deletions('part');
    expect(deleted.map((d) => d.pclq)).toEqual(['part-1-pc-a', 'part-1-pc-a']);
    const victim = (await suite.rt.pods('part')).find((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'part-0-pc-a');
    await client.delete(RESOURCES.pods, victim?.metadata?.name ?? '', suite.ns);
    const again = await suite.rt.allReady('part', 20);
    expect(again.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'part-0-pc-a').map((p) => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH])).toEqual([oldHash, oldHash]);
    const r = await kubectl(kubeconfig, ['-n', suite.ns, 'annotate', 'podcliqueset', 'part', `${ANNOTATION_PARTITION}=0`, '--overwrite']);
    expect(r.code, r.stderr).toBe(0);
    await suite.rt.updateEnded('part');
    expect(suite.rt.log.deletions('part').slice(3).map((d) => d.pclq)).toEqual(['part-0-pc-a', 'part-0-pc-a']);
  });

  it('the webhook refuses a bad annotation, naming it', async () => {
    const r = await kubectl(kubeconfig, ['-n', suite.ns, 'annotate', 'podcliqueset', 'part', `${ANNOTATION_PARTITION}=-1`, '--overwrite']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('metadata.annotations[update.copse.io/partition]: Invalid value: "-1"');
  });
});

describe.skipIf(!present)('OnDelete', { timeout: 2 * STEP_MS }, () => {
  it('OD1/OD2/OD3: nothing is deleted; a deleted pod comes back new; scale-in removes the outdated pod', async () => {
    await suite.rt.create('workload-ondelete.yaml', 'od', 1);
    await suite.rt.allReady('od', 10);
    await suite.rt.changeTemplate('od', ['pc-a'], 'v2');
    await eventually('od: update recorded as ended', async () => (await suite.rt.getPcs('od')).status?.updateProgress?.updateEndedAt !== undefined ? true : undefined, STEP_MS, 500);
    await new Promise((r) => setTimeout(r, 5000));
    expect(suite.rt.log.deletions('od')).toEqual([]);
    const a = (await suite.rt.pods('od')).filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'od-0-pc-a');
    const oldHash = a[0]?.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH];
    await client.delete(RESOURCES.pods, a[0]?.metadata?.name ?? '', suite.ns);
    const mixed = await suite.rt.allReady('od', 10);
    const hashes = mixed.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'od-0-pc-a').map((p) => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH]);
    expect(hashes.filter((h) => h === oldHash)).toHaveLength(1);
    const r = await kubectl(kubeconfig, ['-n', suite.ns, 'scale', 'podclique', 'od-0-pc-a', '--replicas=1']);
    expect(r.code, r.stderr).toBe(0);
    const left = await suite.rt.allReady('od', 9);
    expect(left.filter((p) => p.metadata?.labels?.[LABEL_PODCLIQUE] === 'od-0-pc-a').map((p) => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH])).not.toContain(oldHash);
    expect(suite.rt.log.deletions('od').map((d) => d.pod)).toEqual([a[0]?.metadata?.name, a[1]?.metadata?.name]);
  });
});

describe.skipIf(!present)('kill -9 of the copse server mid-update', { timeout: 3 * STEP_MS }, () => {
  it('resumes, deletes every outdated pod exactly once and no new pod, and finishes', async () => {
    await suite.rt.create('workload1.yaml', 'crash', 2);
    const before = await suite.rt.allReady('crash', 20);
    await suite.rt.changeTemplate('crash', ['pc-a', 'pc-b'], 'v2');
    await eventually('a first deletion', async () => (suite.rt.log.deletions('crash').length > 0 ? true : undefined), STEP_MS, 100);
    const rec = readRecord(stateDir(), SERVER_PROCESS);
    if (!rec || !isRunning(rec)) throw new Error('the copse server is not running');
    process.kill(rec.pid, 'SIGKILL');
    await eventually('the copse server to be gone', async () => !isRunning(rec));
    await upStack({ log: () => {} });
    await suite.rt.updateEnded('crash');
    const deleted = suite.rt.log.deletions('crash');
    const names = deleted.map((d) => d.pod);
    expect(new Set(names).size).toBe(names.length);
    // Every outdated pc-a pod and every pod of the recreated group replicas (pc-b, pc-c); all of the old generation.
    const oldNames = new Set(before.map((p) => p.metadata?.name));
    expect(names.every((n) => oldNames.has(n))).toBe(true);
    expect(names.filter((n) => n.includes('-pc-a-'))).toHaveLength(4);
    expect(names).toHaveLength(20);
  });
});
