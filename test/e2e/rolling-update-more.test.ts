// Grove's rolling-update scenarios RU9-RU21 (grove-compat §9.4) on the real local control plane, and a
// template change during a running update. Every scenario runs Grove's workload1 (per PodCliqueSet
// replica: pc-a 2 pods, minAvailable 2; scaling group sg-x of 2 replicas of pc-b 1 + pc-c 3 pods, so 10
// pods) and asserts from the pod watch exactly which pods were deleted, in which order, that no pod of
// the new template was ever deleted (scaled-out pods are made new and never updated again), and the
// exact pods left, each on the new template.
//
// RU10 cordons every node, so it runs alone first; the others run concurrently, each on its own
// PodCliqueSet (the watch log is filtered by name), to keep the file's wall time in bounds.
import { describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import { LABEL_PCS_REPLICA_INDEX } from '../../api/keys.js';
import { RESOURCES } from '../../kube/resources.js';
import { testClient } from '../support/dynamic.js';
import { groveSamplesPresent } from '../support/grove-samples.js';
import { eventually, kubectl } from '../support/kube.js';
import { STEP_MS, rolloutSuite, cliqueOf, hashOf, hashesByClique, nameOf, pclqOf } from '../support/rollout.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const present = groveSamplesPresent({ suite: 'rolling updates RU9-RU21', suites: 1, sub: 'e2e-workloads' });
const ALL = ['pc-a', 'pc-b', 'pc-c'];
/** Pods of one sg-x replica: pc-b 1 + pc-c 3. */
const GROUP_PODS = 4;

const suite = rolloutSuite(client, 'rollmore', { restoreStack: true });

async function ok(args: string[]): Promise<void> {
  const r = await kubectl(kubeconfig, ['-n', suite.ns, ...args]);
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
}

const scalePcs = (pcs: string, replicas: number) => ok(['scale', 'podcliqueset', pcs, `--replicas=${replicas}`]);
/** Scales sg-x in both PodCliqueSet replicas through its /scale subresource, as Grove's tests do. */
const scaleGroups = (pcs: string, replicas: number) => ok(['scale', 'podcliquescalinggroup', `${pcs}-0-sg-x`, `${pcs}-1-sg-x`, `--replicas=${replicas}`]);

/** workload1 as `pcs` with 2 replicas, every pod Ready; returns the pods and their template hashes. */
async function deploy(pcs: string, replicas = 2): Promise<{ pods: Pod[]; hashes: Map<string, string> }> {
  await suite.rt.create('workload1.yaml', pcs, replicas);
  const pods = await suite.rt.allReady(pcs, 10 * replicas);
  return { pods, hashes: hashesByClique(pods) };
}

/**
 * The update ended with `count` Ready pods, each clique on one template: a new one for `changed`, the
 * old one for the others. Returns the hashes now.
 */
async function converged(pcs: string, count: number, changed: readonly string[], old: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  await suite.rt.updateEnded(pcs);
  const now = await suite.rt.allReady(pcs, count);
  const hashes = hashesByClique(now);
  for (const c of ALL) {
    if (changed.includes(c)) expect(hashes.get(c), `${pcs}: ${c} on a new template`).not.toBe(old.get(c));
    else expect(hashes.get(c), `${pcs}: ${c} untouched`).toBe(old.get(c));
  }
  return hashes;
}

const names = (pods: readonly { metadata?: { name?: string } }[]): string[] => pods.map(nameOf).sort();
const deletedNames = (pcs: string): string[] => suite.rt.log.deletions(pcs).map((d) => d.pod).sort();
const inReplica = (pods: readonly Pod[], i: number): Pod[] => pods.filter((p) => p.metadata?.labels?.[LABEL_PCS_REPLICA_INDEX] === String(i));

/**
 * The PodCliqueSet replicas in the order the rollout worked on them, each once (replicaRuns fails on a
 * replica taken up again), sorted: Grove takes a replica with no scheduled pod or in a breach first,
 * and right after a deploy a PodClique's status may still say so, so either replica may go first.
 */
const runsOf = (pcs: string, among?: ReadonlySet<string>): number[] => suite.rt.replicaRuns(pcs, among).sort();

/** Per PCS replica: pc-a one pod at a time, sg-x one group replica at a time (in the given order). */
function orderedWithin(pcs: string, replicas: number, hashes: ReadonlyMap<string, string>, groupRuns: number[], among?: ReadonlySet<string>): void {
  for (let i = 0; i < replicas; i++) {
    suite.rt.oneAtATime(`${pcs}-${i}-pc-a`, hashes.get('pc-a') ?? '', among);
    expect(suite.rt.groupsOneAtATime(`${pcs}-${i}-sg-x`, hashes, GROUP_PODS, among), `${pcs}-${i}-sg-x group replicas in order`).toEqual(groupRuns);
  }
}

describe.skipIf(!present)('RU10: no room for a replacement', { timeout: 3 * STEP_MS }, () => {
  it('RU10: with every node cordoned exactly one old pod goes and its replacement pends; after uncordon the update completes', async () => {
    const { pods: before, hashes: old } = await deploy('ru10', 1);
    await ok(['cordon', '-l', 'type=kwok']);
    try {
      await suite.rt.changeTemplate('ru10', ['pc-a'], 'v2');
      const first = await eventually('ru10: one pod deleted', async () => (suite.rt.log.deletions('ru10').length > 0 ? suite.rt.log.deletions('ru10') : undefined), STEP_MS, 200);
      expect(first.map((d) => d.pclq)).toEqual(['ru10-0-pc-a']);
      const pending = await eventually('ru10: the replacement exists, unscheduled', async () => {
        const now = await suite.rt.pods('ru10');
        const fresh = now.filter((p) => !before.some((b) => nameOf(b) === nameOf(p)));
        return fresh.length === 1 ? fresh : undefined;
      }, STEP_MS, 500);
      // Delete first, no surge: nothing else goes while the replacement cannot be placed.
      await new Promise((r) => setTimeout(r, 8000));
      const still = await client.get(RESOURCES.pods, nameOf(pending[0] as Pod), suite.ns);
      expect(still.spec?.nodeName).toBeUndefined();
      expect(hashOf(still)).not.toBe(old.get('pc-a'));
      expect(suite.rt.log.deletions('ru10').map((d) => d.pod)).toEqual(first.map((d) => d.pod));
      expect((await suite.rt.pods('ru10')).length).toBe(10);
    } finally {
      await ok(['uncordon', '-l', 'type=kwok']);
    }
    const hashes = await converged('ru10', 10, ['pc-a'], old);
    expect(deletedNames('ru10')).toEqual(names(before.filter((p) => cliqueOf(pclqOf(p)) === 'pc-a')));
    suite.rt.oneAtATime('ru10-0-pc-a', hashes.get('pc-a') ?? '');
  });
});

describe.skipIf(!present)('RollingRecreate with scaling', { timeout: 4 * STEP_MS, concurrent: true }, () => {
  it('RU9 + RU13: all cliques change: one pod per PodClique and one group replica per scaling group at a time, replica 0 then 1; a scale-in after the last replica removes exactly replica 1', async () => {
    const { pods: before, hashes: old } = await deploy('ru9');
    const from = suite.rt.log.events.length;
    await suite.rt.changeTemplate('ru9', ALL, 'v2');
    const hashes = await converged('ru9', 20, ALL, old);
    expect(deletedNames('ru9')).toEqual(names(before));
    expect(runsOf('ru9')).toEqual([0, 1]);
    orderedWithin('ru9', 2, hashes, [0, 1]);
    expect(suite.rt.overlaps('ru9', from)).toEqual([]);
    // RU13: scale-in after the final ordinal was updated.
    const updated = await suite.rt.pods('ru9');
    await scalePcs('ru9', 1);
    const left = await suite.rt.allReady('ru9', 10);
    expect(left.every((p) => hashOf(p) === hashes.get(cliqueOf(pclqOf(p))))).toBe(true);
    const expected = [...names(before), ...names(inReplica(updated, 1))].sort();
    // The watch may report the last deletion a moment after the pods are gone from a list.
    await eventually('ru9: the scale-in deletions seen', async () => (deletedNames('ru9').length >= expected.length ? true : undefined), 30_000, 200);
    expect(deletedNames('ru9')).toEqual(expected);
    expect((await suite.rt.getPcs('ru9')).status?.updateProgress?.currentlyUpdating).toBeUndefined();
  });

  it('RU11: a PodCliqueSet scale-out during the update: the new replica is made on the new template and never touched', async () => {
    const { pods: before, hashes: old } = await deploy('ru11');
    const from = suite.rt.log.events.length;
    await suite.rt.changeTemplate('ru11', ['pc-a'], 'v2');
    await suite.rt.updating('ru11', 0);
    await scalePcs('ru11', 3);
    const hashes = await converged('ru11', 30, ['pc-a'], old);
    expect(deletedNames('ru11')).toEqual(names(before.filter((p) => cliqueOf(pclqOf(p)) === 'pc-a')));
    expect(runsOf('ru11')).toEqual([0, 1]);
    suite.rt.noNewPodDeleted('ru11', hashes);
    expect(suite.rt.overlaps('ru11', from)).toEqual([]);
  });

  it('RU12: a PodCliqueSet scale-in while the last replica is updated: replica 0 fully updated, replica 1 gone, the update ends', async () => {
    const { pods: before, hashes: old } = await deploy('ru12');
    await suite.rt.changeTemplate('ru12', ALL, 'v2');
    await suite.rt.updating('ru12', 1);
    await scalePcs('ru12', 1);
    const hashes = await converged('ru12', 10, ALL, old);
    const deleted = suite.rt.log.deletions('ru12');
    // Every old pod went: replica 0's through the update, replica 1's through it or the scale-in.
    expect(names(before).every((n) => deleted.some((d) => d.pod === n))).toBe(true);
    // In replica 0 only old pods were deleted, one PodClique pod and one group replica at a time.
    expect(deleted.filter((d) => d.replica === 0).map((d) => d.pod).sort()).toEqual(names(inReplica(before, 0)));
    orderedWithin('ru12', 1, hashes, [0, 1]);
    expect((await suite.rt.pods('ru12')).every((p) => pclqOf(p).startsWith('ru12-0-'))).toBe(true);
    const pcs = await suite.rt.getPcs('ru12');
    expect(pcs.status?.updateProgress?.currentlyUpdating).toBeUndefined();
    expect(pcs.status?.updatedReplicas).toBe(1);
  });

  it('RU14: sg-x scaled out 2 -> 3 during its update: the new group replicas are made on the new template and never recreated', async () => {
    const { pods: before, hashes: old } = await deploy('ru14');
    const from = suite.rt.log.events.length;
    await suite.rt.changeTemplate('ru14', ALL, 'v2');
    await suite.rt.updating('ru14', 0);
    await scaleGroups('ru14', 3);
    const hashes = await converged('ru14', 28, ALL, old);
    expect(deletedNames('ru14')).toEqual(names(before));
    suite.rt.noNewPodDeleted('ru14', hashes);
    expect(runsOf('ru14')).toEqual([0, 1]);
    orderedWithin('ru14', 2, hashes, [0, 1]);
    expect(suite.rt.overlaps('ru14', from)).toEqual([]);
  });

  it('RU15: sg-x scaled out 2 -> 3 before the update: the third group replica is rolled like the others, after them', async () => {
    const { hashes: old } = await deploy('ru15');
    await scaleGroups('ru15', 3);
    const before = await suite.rt.allReady('ru15', 28);
    const from = suite.rt.log.events.length;
    await suite.rt.changeTemplate('ru15', ALL, 'v2');
    const hashes = await converged('ru15', 28, ALL, old);
    expect(deletedNames('ru15')).toEqual(names(before));
    expect(runsOf('ru15')).toEqual([0, 1]);
    orderedWithin('ru15', 2, hashes, [0, 1, 2]);
    expect(suite.rt.overlaps('ru15', from)).toEqual([]);
  });

  it('RU16: sg-x scaled in 3 -> 2 during its update: the update completes with 20 pods on the new template', async () => {
    const { hashes: old } = await deploy('ru16');
    await scaleGroups('ru16', 3);
    const before = await suite.rt.allReady('ru16', 28);
    await suite.rt.changeTemplate('ru16', ALL, 'v2');
    await suite.rt.updating('ru16', 0);
    await scaleGroups('ru16', 2);
    const hashes = await converged('ru16', 20, ALL, old);
    expect(deletedNames('ru16').filter((n) => !n.includes('-sg-x-2-'))).toEqual(names(before.filter((p) => !pclqOf(p).includes('-sg-x-2-'))));
    expect(names(before.filter((p) => pclqOf(p).includes('-sg-x-2-'))).every((n) => deletedNames('ru16').includes(n))).toBe(true);
    // Only the scale-in may take a pod of the new template, and only in the group replica it removes.
    suite.rt.noNewPodDeleted('ru16', hashes, new Set(suite.rt.log.deletions('ru16').filter((d) => d.pclq.includes('-sg-x-2-')).map((d) => d.pod)));
    const kept = new Set(names(before.filter((p) => !pclqOf(p).includes('-sg-x-2-'))));
    orderedWithin('ru16', 2, hashes, [0, 1], kept);
  });

  it('RU17: sg-x scaled in 3 -> 2 before the update: the scale-in takes sg-x-2, then the update rolls the rest', async () => {
    const { hashes: old } = await deploy('ru17');
    await scaleGroups('ru17', 3);
    const wide = await suite.rt.allReady('ru17', 28);
    await scaleGroups('ru17', 2);
    const before = await suite.rt.allReady('ru17', 20);
    const scaledIn = names(wide.filter((p) => pclqOf(p).includes('-sg-x-2-')));
    await eventually('ru17: sg-x-2 deletions seen', async () => (scaledIn.every((n) => deletedNames('ru17').includes(n)) ? true : undefined), STEP_MS, 200);
    expect(deletedNames('ru17')).toEqual(scaledIn);
    await suite.rt.changeTemplate('ru17', ALL, 'v2');
    const hashes = await converged('ru17', 20, ALL, old);
    expect(deletedNames('ru17')).toEqual([...scaledIn, ...names(before)].sort());
    expect(runsOf('ru17', new Set(names(before)))).toEqual([0, 1]);
    orderedWithin('ru17', 2, hashes, [0, 1], new Set(names(before)));
  });

  it('RU18: pc-a scaled out 2 -> 4 during its update: the added pods are made on the new template and never deleted', async () => {
    const { pods: before, hashes: old } = await deploy('ru18');
    await suite.rt.changeTemplate('ru18', ALL, 'v2');
    await suite.rt.updating('ru18', 0);
    await suite.rt.scaleClique('ru18', 'pc-a', 4);
    const hashes = await converged('ru18', 24, ALL, old);
    expect(deletedNames('ru18')).toEqual(names(before));
    suite.rt.noNewPodDeleted('ru18', hashes);
    expect(runsOf('ru18')).toEqual([0, 1]);
    orderedWithin('ru18', 2, hashes, [0, 1]);
    // No overlaps check (see RU19).
  });

  it('RU19: pc-a scaled out 2 -> 4 before the update: all four are rolled one at a time', async () => {
    const { hashes: old } = await deploy('ru19');
    await suite.rt.scaleClique('ru19', 'pc-a', 4);
    const before = await suite.rt.allReady('ru19', 24);
    await suite.rt.changeTemplate('ru19', ALL, 'v2');
    const hashes = await converged('ru19', 24, ALL, old);
    expect(deletedNames('ru19')).toEqual(names(before));
    expect(runsOf('ru19')).toEqual([0, 1]);
    orderedWithin('ru19', 2, hashes, [0, 1]);
    // No overlaps check here: a replica counts as updated once available (grove-compat §4.8: updated
    // and Ready >= minAvailable), so with pc-a at 4 (minAvailable 2) the next replica may start while
    // the last replacement of the previous one still starts.
  });

  it('RU20: pc-a scaled in 3 -> 2 during its update: the update completes; the scale-in took an outdated pod where one was left', async () => {
    const { hashes: old } = await deploy('ru20');
    await suite.rt.scaleClique('ru20', 'pc-a', 3);
    const before = await suite.rt.allReady('ru20', 22);
    await suite.rt.changeTemplate('ru20', ALL, 'v2');
    await suite.rt.updating('ru20', 0);
    await suite.rt.scaleClique('ru20', 'pc-a', 2);
    const hashes = await converged('ru20', 20, ALL, old);
    const deleted = suite.rt.log.deletions('ru20');
    expect(names(before).every((n) => deleted.some((d) => d.pod === n))).toBe(true);
    // Replica 1 was not being updated when pc-a shrank: the scale-in there took one of its 3 outdated
    // pods (Grove: scale-in prefers old-hash pods), so no pod of the new template went anywhere in it.
    suite.rt.noNewPodDeleted('ru20', hashes, new Set(deleted.filter((d) => d.replica === 0 && d.pclq === 'ru20-0-pc-a').map((d) => d.pod)));
    expect(deleted.filter((d) => d.replica === 1).map((d) => d.pod).sort()).toEqual(names(inReplica(before, 1)));
    // At most one pod of the new template went in replica 0 (the scale-in victim, had the rollout
    // already replaced every outdated one).
    expect(deleted.filter((d) => d.pclq === 'ru20-0-pc-a' && d.hash === hashes.get('pc-a')).length).toBeLessThanOrEqual(1);
  });

  it('RU21: pc-a scaled in 3 -> 2 before the update: then every remaining pod is rolled', async () => {
    const { hashes: old } = await deploy('ru21');
    await suite.rt.scaleClique('ru21', 'pc-a', 3);
    const wide = await suite.rt.allReady('ru21', 22);
    await suite.rt.scaleClique('ru21', 'pc-a', 2);
    const before = await suite.rt.allReady('ru21', 20);
    const scaledIn = names(wide).filter((n) => !names(before).includes(n));
    expect(scaledIn).toHaveLength(2);
    await suite.rt.changeTemplate('ru21', ALL, 'v2');
    const hashes = await converged('ru21', 20, ALL, old);
    expect(deletedNames('ru21')).toEqual([...scaledIn, ...names(before)].sort());
    expect(runsOf('ru21', new Set(names(before)))).toEqual([0, 1]);
    orderedWithin('ru21', 2, hashes, [0, 1], new Set(names(before)));
  });

  it('a second template change during the update: the replica being updated goes on, never two replicas down at once; pods of the intermediate template are replaced too, none of the final one is deleted', async () => {
    const { pods: before, hashes: old } = await deploy('ruu');
    const from = suite.rt.log.events.length;
    await suite.rt.changeTemplate('ruu', ['pc-a'], 'v2');
    await eventually('ruu: a first deletion', async () => (suite.rt.log.deletions('ruu').length > 0 ? true : undefined), STEP_MS, 100);
    await suite.rt.changeTemplate('ruu', ['pc-a'], 'v3');
    const hashes = await converged('ruu', 20, ['pc-a'], old);
    const deleted = suite.rt.log.deletions('ruu');
    suite.rt.noNewPodDeleted('ruu', hashes);
    // The replica being updated when the template changed again goes on to the newest template before
    // another replica loses a Ready pod (api/update/rollout.ts keeps it in currentlyUpdating).
    expect(suite.rt.overlaps('ruu', from)).toEqual([]);
    expect(deleted.every((d) => d.pclq.endsWith('-pc-a'))).toBe(true);
    const originals = names(before.filter((p) => cliqueOf(pclqOf(p)) === 'pc-a'));
    expect(originals.every((n) => deleted.some((d) => d.pod === n))).toBe(true);
    // Whatever was deleted beyond the originals ran the intermediate template (v2).
    const extra = deleted.filter((d) => !originals.includes(d.pod));
    expect(extra.every((d) => d.hash !== old.get('pc-a') && d.hash !== hashes.get('pc-a'))).toBe(true);
    // Delete first, one Ready pod at a time: between two deletions of Ready pods of a PodClique, some
    // replacement became Ready. (A replacement of the intermediate template that is not Ready yet goes
    // at once when the template changes again, as Grove deletes outdated pods that are not Ready.)
    for (const pclq of ['ruu-0-pc-a', 'ruu-1-pc-a']) {
      let readySince = true;
      const wasReady = new Set<string>();
      for (const e of suite.rt.log.events.filter((x) => x.pclq === pclq)) {
        if (e.kind === 'ready') {
          wasReady.add(e.pod);
          if (e.hash !== old.get('pc-a')) readySince = true;
        } else if (wasReady.has(e.pod)) {
          expect(readySince, `${pclq}: ${e.pod} deleted before a replacement was Ready`).toBe(true);
          readySince = false;
        }
      }
    }
  });
});
