// Grove's OnDelete scenarios OD4-OD9 (grove-compat §9.4, GREP-291) on the real local control plane
// (OD1-OD3 are in rolling-update.test.ts). Grove's workload-ondelete: workload1's shape with pc-a
// minAvailable 1 and `updateStrategy.type: OnDelete`, 10 pods per replica. The pod watch
// (test/support/rollout.ts) proves that nothing but the pods a test deletes ever goes, and each
// replacement is checked for the new template. The scenarios run concurrently, each on its own
// PodCliqueSet, except OD9, which also rolls.
import { describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import { RESOURCES } from '../../kube/resources.js';
import { isReady, testClient } from '../support/dynamic.js';
import { groveSamplesPresent } from '../support/grove-samples.js';
import { eventually } from '../support/kube.js';
import { STEP_MS, rolloutSuite, cliqueOf, hashOf, hashesByClique, nameOf, pclqOf } from '../support/rollout.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const present = groveSamplesPresent({ suite: 'OnDelete updates OD4-OD9', suites: 1, sub: 'e2e-workloads' });
const QUIET_MS = 5000;

const suite = rolloutSuite(client, 'ondelete', { restoreStack: true });

const names = (pods: readonly Pod[]): string[] => pods.map(nameOf).sort();
const deletedNames = (pcs: string): string[] => suite.rt.log.deletions(pcs).map((d) => d.pod).sort();
const ofClique = (pods: readonly Pod[], clique: string): Pod[] => pods.filter((p) => cliqueOf(pclqOf(p)) === clique);

async function deploy(pcs: string, replicas = 1): Promise<{ pods: Pod[]; hashes: Map<string, string> }> {
  await suite.rt.create('workload-ondelete.yaml', pcs, replicas);
  const pods = await suite.rt.allReady(pcs, 10 * replicas);
  return { pods, hashes: hashesByClique(pods) };
}

/** The update is recorded as ended at once, and a while later still no pod has gone. */
async function endedWithoutDeletes(pcs: string, since: string | undefined): Promise<PodCliqueSet> {
  const done = await eventually(`${pcs}: a new update recorded as ended`, async () => {
    const p = (await suite.rt.getPcs(pcs)).status?.updateProgress;
    return p?.updateEndedAt && p.updateStartedAt !== since && !p.currentlyUpdating ? true : undefined;
  }, STEP_MS, 300);
  expect(done).toBe(true);
  await new Promise((r) => setTimeout(r, QUIET_MS));
  const pcsNow = await suite.rt.getPcs(pcs);
  expect(pcsNow.status?.updateProgress?.currentlyUpdating).toBeUndefined();
  return pcsNow;
}

/** Deletes `pod` by hand and waits for its replacement (the one new pod of its PodClique); returns it. */
async function replace(pcs: string, pod: Pod, count: number): Promise<Pod> {
  const had = new Set(names(await suite.rt.pods(pcs)));
  await client.delete(RESOURCES.pods, nameOf(pod), suite.ns);
  const fresh = await eventually(`${pcs}: ${nameOf(pod)} replaced by a Ready pod`, async () => {
    const now = await suite.rt.pods(pcs);
    if (now.length !== count || !now.every(isReady) || now.some((p) => nameOf(p) === nameOf(pod))) return undefined;
    return now.filter((p) => !had.has(nameOf(p)));
  }, STEP_MS, 500);
  expect(fresh.map(pclqOf)).toEqual([pclqOf(pod)]);
  return fresh[0] as Pod;
}

/** The generation hash changed from `before` (the controllers saw the edit). */
async function newGeneration(pcs: string, before: string | undefined): Promise<void> {
  await eventually(`${pcs}: a new generation hash`, async () => ((await suite.rt.getPcs(pcs)).status?.currentGenerationHash !== before ? true : undefined), STEP_MS, 200);
}

describe.skipIf(!present)('OnDelete', { timeout: 3 * STEP_MS, concurrent: true }, () => {
  it('OD4: a pc-b (scaling-group) change deletes nothing; PodCliqueSet and scaling groups record the update as ended', async () => {
    const { pods: before, hashes: old } = await deploy('od4');
    const since = (await suite.rt.getPcs('od4')).status?.updateProgress?.updateStartedAt;
    await suite.rt.changeTemplate('od4', ['pc-b'], 'v2');
    await endedWithoutDeletes('od4', since);
    expect(suite.rt.log.deletions('od4')).toEqual([]);
    expect(names(await suite.rt.pods('od4'))).toEqual(names(before));
    const pcsg = await eventually('od4-0-sg-x: update recorded', async () => {
      const g = await client.get(RESOURCES.podCliqueScalingGroups, 'od4-0-sg-x', suite.ns);
      return g.status?.updateProgress?.podCliqueSetGenerationHash === (await suite.rt.getPcs('od4')).status?.currentGenerationHash ? g : undefined;
    }, 30_000, 300);
    const p = pcsg.status?.updateProgress;
    expect(p?.updateEndedAt).toBeDefined();
    expect(p?.updateEndedAt).toBe(p?.updateStartedAt);
    expect(p?.readyReplicaIndicesSelectedToUpdate).toBeUndefined();
    // The members already carry the new template (a pod deleted by hand comes back new) ...
    const pclq = await client.get(RESOURCES.podCliques, 'od4-0-sg-x-1-pc-b', suite.ns);
    expect(pclq.metadata.labels?.['grove.io/pod-template-hash']).not.toBe(old.get('pc-b'));
    // ... while every pod still runs the old one.
    expect(hashesByClique(await suite.rt.pods('od4'))).toEqual(old);
  });

  it('OD5: a pc-c (scaling-group) change; a pc-c pod deleted by hand comes back on the new template, the others stay old', async () => {
    const { hashes: old } = await deploy('od5');
    const since = (await suite.rt.getPcs('od5')).status?.updateProgress?.updateStartedAt;
    await suite.rt.changeTemplate('od5', ['pc-c'], 'v2');
    await endedWithoutDeletes('od5', since);
    const victim = ofClique(await suite.rt.pods('od5'), 'pc-c').filter((p) => pclqOf(p) === 'od5-0-sg-x-0-pc-c')[0] as Pod;
    const fresh = await replace('od5', victim, 10);
    expect(pclqOf(fresh)).toBe('od5-0-sg-x-0-pc-c');
    expect(hashOf(fresh)).not.toBe(old.get('pc-c'));
    expect(deletedNames('od5')).toEqual([nameOf(victim)]);
    const pcc = ofClique(await suite.rt.pods('od5'), 'pc-c');
    expect(pcc.filter((p) => hashOf(p) === old.get('pc-c'))).toHaveLength(5);
    // Status is written at most once a second per PodClique: wait for the one that has the replacement Ready.
    const pclq = await eventually('od5: status counts the updated pod, Ready', async () => {
      const c = await client.get(RESOURCES.podCliques, 'od5-0-sg-x-0-pc-c', suite.ns);
      return c.status?.updatedReplicas === 1 && c.status.readyReplicas === 3 ? c : undefined;
    }, 30_000, 300);
    expect(pclq.status?.replicas).toBe(3);
  });

  it('OD6: every clique changes; one pod deleted by hand per kind (standalone, scaling group) comes back new; nothing else goes', async () => {
    const { hashes: old } = await deploy('od6');
    const since = (await suite.rt.getPcs('od6')).status?.updateProgress?.updateStartedAt;
    await suite.rt.changeTemplate('od6', ['pc-a', 'pc-b', 'pc-c'], 'v2');
    await endedWithoutDeletes('od6', since);
    expect(suite.rt.log.deletions('od6')).toEqual([]);
    const a = ofClique(await suite.rt.pods('od6'), 'pc-a')[0] as Pod;
    const freshA = await replace('od6', a, 10);
    const c = ofClique(await suite.rt.pods('od6'), 'pc-c')[0] as Pod;
    const freshC = await replace('od6', c, 10);
    expect(hashOf(freshA)).not.toBe(old.get('pc-a'));
    expect(hashOf(freshC)).not.toBe(old.get('pc-c'));
    expect(suite.rt.log.deletions('od6').map((d) => d.pod)).toEqual([nameOf(a), nameOf(c)]);
    const now = await suite.rt.pods('od6');
    expect(now.filter((p) => hashOf(p) !== old.get(cliqueOf(pclqOf(p)))).map(nameOf).sort()).toEqual([nameOf(freshA), nameOf(freshC)].sort());
  });

  it('OD7: two PodCliqueSet replicas: a pc-a change deletes nothing in either; both pc-a PodCliques carry the new template, update ended', async () => {
    const { pods: before, hashes: old } = await deploy('od7', 2);
    const since = (await suite.rt.getPcs('od7')).status?.updateProgress?.updateStartedAt;
    await suite.rt.changeTemplate('od7', ['pc-a'], 'v2');
    await endedWithoutDeletes('od7', since);
    expect(suite.rt.log.deletions('od7')).toEqual([]);
    expect(names(await suite.rt.pods('od7'))).toEqual(names(before));
    for (const i of [0, 1]) {
      const pclq = await eventually(`od7-${i}-pc-a: update recorded`, async () => {
        const c = await client.get(RESOURCES.podCliques, `od7-${i}-pc-a`, suite.ns);
        return c.status?.updateProgress?.updateEndedAt ? c : undefined;
      }, 30_000, 300);
      expect(pclq.metadata.labels?.['grove.io/pod-template-hash']).not.toBe(old.get('pc-a'));
      expect(pclq.status?.updateProgress?.readyPodsSelectedToUpdate).toBeUndefined();
      expect(pclq.status?.updatedReplicas).toBe(0);
    }
  });

  it('OD8: node failure workflow: pc-a excludes the failed host by nodeAffinity, its pod deleted by hand comes back elsewhere with the exclusion; nothing else moves', async () => {
    const { pods: before } = await deploy('od8');
    const victim = ofClique(before, 'pc-a')[0] as Pod;
    const failed = victim.spec?.nodeName ?? '';
    expect(failed).not.toBe('');
    const host = (await client.get(RESOURCES.nodes, failed, undefined)).metadata?.labels?.['kubernetes.io/hostname'] ?? '';
    expect(host).not.toBe('');
    const since = (await suite.rt.getPcs('od8')).status?.updateProgress?.updateStartedAt;
    await suite.rt.edit('od8', `pc-a excludes ${failed}`, (pcs) => {
      const a = pcs.spec.template.cliques.find((c) => c.name === 'pc-a');
      const terms = a?.spec.podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
      for (const t of terms) t.matchExpressions = [...(t.matchExpressions ?? []), { key: 'kubernetes.io/hostname', operator: 'NotIn', values: [host] }];
      expect(terms.length).toBeGreaterThan(0);
    });
    await endedWithoutDeletes('od8', since);
    expect(suite.rt.log.deletions('od8')).toEqual([]);
    const fresh = await replace('od8', victim, 10);
    const placed = await eventually('od8: replacement bound', async () => {
      const p = await client.get(RESOURCES.pods, nameOf(fresh), suite.ns);
      return p.spec?.nodeName ? p : undefined;
    }, STEP_MS, 300);
    expect(placed.spec?.nodeName).not.toBe(failed);
    const exprs = placed.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.flatMap((t) => t.matchExpressions ?? []) ?? [];
    expect(exprs).toContainEqual({ key: 'kubernetes.io/hostname', operator: 'NotIn', values: [host] });
    expect(suite.rt.log.deletions('od8').map((d) => d.pod)).toEqual([nameOf(victim)]);
    const others = names(before.filter((p) => nameOf(p) !== nameOf(victim)));
    expect(names(await suite.rt.pods('od8')).filter((n) => n !== nameOf(fresh))).toEqual(others);
  });
});

describe.skipIf(!present)('OnDelete -> RollingRecreate -> OnDelete', { timeout: 3 * STEP_MS }, () => {
  it('OD9: OnDelete deletes nothing; switched to RollingRecreate the outdated pc-a pods and then, after a pc-b change, the sg-x replicas roll; back on OnDelete a pc-c change deletes nothing', async () => {
    const { pods: before, hashes: old } = await deploy('od9');
    let since = (await suite.rt.getPcs('od9')).status?.updateProgress?.updateStartedAt;
    await suite.rt.changeTemplate('od9', ['pc-a'], 'v2');
    await endedWithoutDeletes('od9', since);
    expect(suite.rt.log.deletions('od9')).toEqual([]);

    // copse (api/update/rollout.ts): a replica running an outdated template while no update runs starts
    // a round as soon as the strategy allows it, so the switch alone rolls the two pc-a pods (Grove
    // would wait for the next template change, which here comes right after and rolls them too).
    await suite.rt.edit('od9', 'strategy RollingRecreate', (pcs) => {
      pcs.spec.updateStrategy = { type: 'RollingRecreate' };
    });
    const generation = (await suite.rt.getPcs('od9')).status?.currentGenerationHash;
    await suite.rt.changeTemplate('od9', ['pc-b'], 'v2');
    await newGeneration('od9', generation);
    const rolled = await suite.rt.updateEnded('od9');
    const mid = await suite.rt.allReady('od9', 10);
    const hashes = hashesByClique(mid);
    expect(hashes.get('pc-a')).not.toBe(old.get('pc-a'));
    expect(hashes.get('pc-b')).not.toBe(old.get('pc-b'));
    expect(hashes.get('pc-c')).toBe(old.get('pc-c'));
    expect(deletedNames('od9')).toEqual(names(before));
    suite.rt.oneAtATime('od9-0-pc-a', hashes.get('pc-a') ?? '');
    expect(suite.rt.groupsOneAtATime('od9-0-sg-x', hashes, 4)).toEqual([0, 1]);
    expect(rolled.status?.updateProgress?.currentlyUpdating).toBeUndefined();

    await suite.rt.edit('od9', 'strategy OnDelete', (pcs) => {
      pcs.spec.updateStrategy = { type: 'OnDelete' };
    });
    since = rolled.status?.updateProgress?.updateStartedAt;
    const deletedBefore = suite.rt.log.deletions('od9').length;
    await suite.rt.changeTemplate('od9', ['pc-c'], 'v2');
    await endedWithoutDeletes('od9', since);
    expect(suite.rt.log.deletions('od9')).toHaveLength(deletedBefore);
    expect(names(await suite.rt.pods('od9'))).toEqual(names(mid));
  });
});
