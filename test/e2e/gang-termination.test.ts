// Gang termination (grove-compat §4.11) on the real local control plane: Grove's GT1–GT6 with its
// e2e workloads (workload*-gt.yaml, terminationDelay 10s) on a private pool of simulated nodes that
// take one pod each, so cordoning the pool keeps a deleted pod's replacement Pending, as in Grove's
// tests. Besides Grove's cordon-and-kill, pods are held unready through kwok (the sim.copse.io/ready
// hook): a bound pod that is not Ready breaches its clique (grove#277), which Grove never noticed.
// Every scenario asserts exactly which PodCliques were recreated (new uids) and which were not, and
// when: the recycle event comes terminationDelay after the breach's lastTransitionTime, never before.
// The last scenario (terminationDelay 45s, room for a restart) kills the copse server with SIGKILL while
// the delay runs: the restarted server recycles at the same deadline, exactly once.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CoreEvent, Pod } from '../../api/core/wire.js';
import type { Condition, PodClique, PodCliqueScalingGroup, PodCliqueSet } from '../../api/index.js';
import { LABEL_PART_OF, LABEL_PODCLIQUE } from '../../api/keys.js';
import { SERVER_PROCESS, upStack } from '../../cli/stack.js';
import { ANNOTATION_SIM_READY } from '../../cluster/kwok-stages.js';
import { stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { RESOURCES } from '../../kube/resources.js';
import { uniqueSuffix } from '../support/admission.js';
import { createNamespace, isReady, listIn, testClient } from '../support/dynamic.js';
import { groveSamplesPresent, podCliqueSetDocs } from '../support/grove-samples.js';
import { eventually } from '../support/kube.js';
import { createPool, type Pool } from '../support/pool.js';

const client = testClient(inject('kubeconfig'));
const present = groveSamplesPresent({ suite: 'gang termination: Grove GT scenarios', suites: 1, sub: 'e2e-workloads' });
const workloads = present ? podCliqueSetDocs('e2e-workloads') : [];
const DELAY_MS = 10_000;
/** terminationDelay of the kill -9 scenario. */
const CRASH_DELAY_MS = 45_000;
/** How late after its deadline a recycle may come on this shared, busy machine. */
const SLACK_MS = 8_000;
const STEP_MS = 120_000;

let pool: Pool;
let ns: { name: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  pool = await createPool(client, `gt-${uniqueSuffix()}`, { racksPerBlock: 1, hostsPerRack: 12, memory: '100Mi' });
  ns = await createNamespace(client, 'gt');
});
afterAll(async () => {
  await ns?.cleanup();
  await pool?.cleanup();
});

function workload(file: string, name: string, terminationDelay?: string): PodCliqueSet {
  const found = workloads.find((w) => w.file.endsWith(`/${file}`));
  if (!found) throw new Error(`Grove e2e workload ${file} not found`);
  const doc = pool.adapt(found.doc, { namespace: ns.name }) as unknown as PodCliqueSet;
  const spec = terminationDelay ? { ...doc.spec, template: { ...doc.spec.template, terminationDelay } } : doc.spec;
  return { ...doc, metadata: { ...doc.metadata, name }, spec };
}

const condition = (conds: readonly Condition[] | undefined, type: string): Condition | undefined => conds?.find((c) => c.type === type);
const pclqs = async (pcs: string): Promise<PodClique[]> => listIn(client, RESOURCES.podCliques, ns.name, `${LABEL_PART_OF}=${pcs}`);
const pcsgs = async (pcs: string): Promise<PodCliqueScalingGroup[]> => listIn(client, RESOURCES.podCliqueScalingGroups, ns.name, `${LABEL_PART_OF}=${pcs}`);
const livePods = async (pcs: string): Promise<Pod[]> => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=${pcs}`)).filter((p) => !p.metadata?.deletionTimestamp);
const podsOf = async (pclq: string): Promise<Pod[]> => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PODCLIQUE}=${pclq}`)).filter((p) => !p.metadata?.deletionTimestamp);

/** PodClique name → uid, live ones only. */
async function uids(pcs: string): Promise<Record<string, string>> {
  return Object.fromEntries((await pclqs(pcs)).filter((p) => !p.metadata.deletionTimestamp).map((p) => [p.metadata.name ?? '', p.metadata.uid ?? '']));
}

/** All 10 pods Ready and every PodClique and group has reached its minimum once (copse.io/EverAvailable). */
async function healthy(pcs: string, pods = 10): Promise<Record<string, string>> {
  return eventually(
    `${pcs}: ${pods} Ready pods and every PodClique and group EverAvailable`,
    async () => {
      const ps = await livePods(pcs);
      if (ps.length !== pods || !ps.every(isReady)) return undefined;
      const units = [...(await pclqs(pcs)), ...(await pcsgs(pcs))];
      const ok = units.every((u) => !u.metadata.deletionTimestamp && condition(u.status?.conditions, 'copse.io/EverAvailable')?.status === 'True' && condition(u.status?.conditions, 'MinAvailableBreached')?.status === 'False');
      return ok ? uids(pcs) : undefined;
    },
    STEP_MS,
    250,
  );
}

async function deploy(file: string, name: string, terminationDelay?: string): Promise<Record<string, string>> {
  // A failed earlier scenario must not hold the pool's nodes.
  for (const left of await listIn(client, RESOURCES.podCliqueSets, ns.name)) await remove(left.metadata.name ?? '');
  await pool.uncordon(pool.nodes);
  await client.create(RESOURCES.podCliqueSets, workload(file, name, terminationDelay));
  return healthy(name);
}

async function remove(name: string): Promise<void> {
  await client.delete(RESOURCES.podCliqueSets, name, ns.name);
  await eventually(`${name} gone`, async () => (await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PART_OF}=${name}`)).length === 0, STEP_MS, 500);
}

async function holdUnready(pods: readonly Pod[]): Promise<void> {
  await Promise.all(pods.map((p) => client.patch(RESOURCES.pods, p.metadata?.name ?? '', ns.name, { metadata: { annotations: { [ANNOTATION_SIM_READY]: 'false' } } })));
}

async function kill(pods: readonly Pod[]): Promise<void> {
  await Promise.all(pods.map((p) => client.delete(RESOURCES.pods, p.metadata?.name ?? '', ns.name, { uid: p.metadata?.uid })));
}

/** When MinAvailableBreached turned True on `obj` (epoch ms of its lastTransitionTime). */
async function breachedAt(r: typeof RESOURCES.podCliques | typeof RESOURCES.podCliqueScalingGroups, name: string): Promise<number> {
  return eventually(
    `${name} MinAvailableBreached=True`,
    async () => {
      const o = (await client.tryGet(r as typeof RESOURCES.podCliques, name, ns.name)) as PodClique | undefined;
      const c = condition(o?.status?.conditions, 'MinAvailableBreached');
      return c?.status === 'True' ? Date.parse(c.lastTransitionTime ?? '') : undefined;
    },
    STEP_MS,
    200,
  );
}

async function events(pcs: string, reason: string): Promise<CoreEvent[]> {
  const all = await listIn(client, RESOURCES.events, ns.name);
  return all.filter((e) => e.involvedObject?.name === pcs && e.reason === reason);
}

/** The recycle event of `pcs` with `reason`, once there are `n` of them; the last one. */
async function recycleEvent(pcs: string, reason: string, n = 1): Promise<CoreEvent> {
  return eventually(
    `${n} ${reason} event(s) for ${pcs}`,
    async () => {
      const es = await events(pcs, reason);
      const total = es.reduce((s, e) => s + (e.count ?? 1), 0);
      return total >= n ? es.sort((a, b) => Date.parse(a.lastTimestamp ?? '') - Date.parse(b.lastTimestamp ?? ''))[es.length - 1] : undefined;
    },
    STEP_MS,
    200,
  );
}

/** Which PodCliques have a new uid now (and are live), and which kept theirs. */
async function recreated(pcs: string, before: Record<string, string>, names: readonly string[]): Promise<Record<string, string>> {
  return eventually(
    `${pcs}: ${names.join(', ')} recreated`,
    async () => {
      const now = await uids(pcs);
      return names.every((n) => now[n] !== undefined && now[n] !== before[n]) ? now : undefined;
    },
    STEP_MS,
    250,
  );
}

const changed = (a: Record<string, string>, b: Record<string, string>): string[] => Object.keys(a).filter((k) => a[k] !== b[k]).sort();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ALL1 = (p: string): string[] => [`${p}-0-pc-a`, `${p}-0-sg-x-0-pc-b`, `${p}-0-sg-x-0-pc-c`, `${p}-0-sg-x-1-pc-b`, `${p}-0-sg-x-1-pc-c`].sort();

/** The recycle came terminationDelay after the breach (lastTransitionTime has second precision), not before, not much later. */
function onTime(event: CoreEvent, breach: number, delayMs = DELAY_MS): void {
  const at = Date.parse(event.firstTimestamp ?? '');
  expect(at - breach).toBeGreaterThanOrEqual(delayMs);
  expect(at - breach).toBeLessThan(delayMs + SLACK_MS);
}

/**
 * The whole PodCliqueSet replica 0 of `p` was recycled on time after `breach`: its event, and every
 * PodClique live again under a new uid. Returns the event and the new uids.
 */
async function replicaRecycled(p: string, before: Record<string, string>, breach: number, delayMs = DELAY_MS): Promise<{ ev: CoreEvent; after: Record<string, string> }> {
  const ev = await recycleEvent(p, 'PodCliqueSetReplicaDeleteSuccessful');
  onTime(ev, breach, delayMs);
  const after = await recreated(p, before, ALL1(p));
  expect(changed(before, after)).toEqual(ALL1(p));
  return { ev, after };
}

describe.skipIf(!present)('gang termination (Grove GT1–GT6, terminationDelay 10s)', { timeout: 4 * STEP_MS }, () => {
  it('GT1: a pc-a pod killed with the pool cordoned breaches pc-a; after 10 s the whole replica is recreated, once', async () => {
    const p = 'gt1';
    const before = await deploy('workload1-gt.yaml', p);
    const groupUid = (await pcsgs(p))[0]?.metadata.uid;
    await pool.cordon(pool.nodes);
    try {
      const [victim] = await podsOf(`${p}-0-pc-a`);
      await kill([victim as Pod]);
      const breach = await breachedAt(RESOURCES.podCliques, `${p}-0-pc-a`);
      const { ev, after } = await replicaRecycled(p, before, breach);
      expect(ev.message).toBe(`Gang termination of replica 0 after terminationDelay: deleted 5 PodCliques (${ALL1(p).join(', ')}); they are recreated`);
      // The scaling group is kept (Grove deletes PodCliques only) and marked.
      const [g] = await pcsgs(p);
      expect(g?.metadata.uid).toBe(groupUid);
      // Still cordoned: the recreated PodCliques are breached but were never healthy, so they are not
      // recycled again however long they wait, and the PodCliqueSet says why.
      // The recreated PodCliques report their breach one by one: wait for pc-a's.
      const neverHealthy = `PodClique ${p}-0-pc-a is below its minimum but was never healthy; it is not terminated`;
      const pending = await eventually(
        'GangTerminationPending naming the never-healthy pc-a',
        async () => {
          const pcs = await client.tryGet(RESOURCES.podCliqueSets, p, ns.name);
          const c = condition(pcs?.status?.conditions, 'copse.io/GangTerminationPending');
          return c?.message?.includes(neverHealthy) ? c : undefined;
        },
        STEP_MS,
      );
      expect(pending.reason).toBe('GangTerminationBlocked');
      await sleep(DELAY_MS + 3_000);
      expect(await uids(p)).toEqual(after);
      expect((await events(p, 'PodCliqueSetReplicaDeleteSuccessful')).reduce((s, e) => s + (e.count ?? 1), 0)).toBe(1);
    } finally {
      await pool.uncordon(pool.nodes);
    }
    await healthy(p);
    // Recovered: the group's in-progress mark is gone with its breach.
    const [g] = await pcsgs(p);
    expect(condition(g?.status?.conditions, 'GangTerminationInProgress')).toBeUndefined();
    await remove(p);
  });

  it('GT2: an unready pod of sg-x-0-pc-c (m3) breaches the group (2 − 1 < 2): PodCliqueSet-level recycle', async () => {
    const p = 'gt2';
    const before = await deploy('workload1-gt.yaml', p);
    const [victim] = await podsOf(`${p}-0-sg-x-0-pc-c`);
    await holdUnready([victim as Pod]);
    const breach = await breachedAt(RESOURCES.podCliqueScalingGroups, `${p}-0-sg-x`);
    // Still scheduled, only unready: Grove (scheduled-based) would never breach here (grove#277).
    expect((await podsOf(`${p}-0-sg-x-0-pc-c`)).every((x) => x.spec?.nodeName)).toBe(true);
    await replicaRecycled(p, before, breach);
    await healthy(p);
    await remove(p);
  });

  it('GT3: pc-a (m1) with one of two pods unready is not terminated; with both, the replica is recycled after 10 s', async () => {
    const p = 'gt3';
    const before = await deploy('workload2-gt.yaml', p);
    const [a0, a1] = await podsOf(`${p}-0-pc-a`);
    await holdUnready([a0 as Pod]);
    await sleep(DELAY_MS + 3_000);
    expect(await uids(p)).toEqual(before);
    expect(await events(p, 'PodCliqueSetReplicaDeleteSuccessful')).toEqual([]);
    await holdUnready([a1 as Pod]);
    const breach = await breachedAt(RESOURCES.podCliques, `${p}-0-pc-a`);
    await replicaRecycled(p, before, breach);
    await healthy(p);
    await remove(p);
  });

  it('GT4: one sg-x replica down recycles that group replica only; both down recycles the PodCliqueSet replica', async () => {
    const p = 'gt4';
    const before = await deploy('workload2-gt.yaml', p);
    await holdUnready(await podsOf(`${p}-0-sg-x-0-pc-c`));
    const breach = await breachedAt(RESOURCES.podCliques, `${p}-0-sg-x-0-pc-c`);
    const ev = await recycleEvent(p, 'PodCliqueScalingGroupReplicaDeleteSuccessful');
    onTime(ev, breach);
    expect(ev.message).toBe(`Gang termination of ${p}-0-sg-x replica 0 after terminationDelay: deleted 2 PodCliques (${p}-0-sg-x-0-pc-b, ${p}-0-sg-x-0-pc-c); they are recreated`);
    const mid = await recreated(p, before, [`${p}-0-sg-x-0-pc-b`, `${p}-0-sg-x-0-pc-c`]);
    expect(changed(before, mid)).toEqual([`${p}-0-sg-x-0-pc-b`, `${p}-0-sg-x-0-pc-c`]);
    const healed = await healthy(p);
    expect(healed).toEqual(mid);
    // Both group replicas down: the group (minAvailable 1) has none left, so the PodCliqueSet level recycles.
    await holdUnready([...(await podsOf(`${p}-0-sg-x-0-pc-c`)), ...(await podsOf(`${p}-0-sg-x-1-pc-c`))]);
    const groupBreach = await breachedAt(RESOURCES.podCliqueScalingGroups, `${p}-0-sg-x`);
    await replicaRecycled(p, healed, groupBreach);
    expect((await events(p, 'PodCliqueScalingGroupReplicaDeleteSuccessful')).reduce((s, e) => s + (e.count ?? 1), 0)).toBe(1);
    await healthy(p);
    await remove(p);
  });

  it('GT5: all pc-c pods of sg-x-0 killed with the pool cordoned: only that group replica is recreated', async () => {
    const p = 'gt5';
    const before = await deploy('workload5-gt.yaml', p);
    await pool.cordon(pool.nodes);
    try {
      await kill(await podsOf(`${p}-0-sg-x-0-pc-c`));
      const breach = await breachedAt(RESOURCES.podCliques, `${p}-0-sg-x-0-pc-c`);
      const ev = await recycleEvent(p, 'PodCliqueScalingGroupReplicaDeleteSuccessful');
      onTime(ev, breach);
      const after = await recreated(p, before, [`${p}-0-sg-x-0-pc-b`, `${p}-0-sg-x-0-pc-c`]);
      expect(changed(before, after)).toEqual([`${p}-0-sg-x-0-pc-b`, `${p}-0-sg-x-0-pc-c`]);
      expect(await events(p, 'PodCliqueSetReplicaDeleteSuccessful')).toEqual([]);
    } finally {
      await pool.uncordon(pool.nodes);
    }
    await healthy(p);
    await remove(p);
  });

  it('GT6: a ready pc-c pod of the scaled gang (sg-x-1) deleted: no gang termination; its replacement becomes Ready', async () => {
    const p = 'gt6';
    const before = await deploy('workload2-gt.yaml', p);
    const scaled = await podsOf(`${p}-0-sg-x-1-pc-c`);
    expect(scaled[0]?.metadata?.labels?.['grove.io/base-podgang']).toBe(`${p}-0`);
    await pool.cordon(pool.nodes);
    try {
      await kill([scaled[0] as Pod]);
      await sleep(DELAY_MS + 3_000);
      expect(await uids(p)).toEqual(before);
      expect((await podsOf(`${p}-0-sg-x-1-pc-c`)).filter((x) => !x.spec?.nodeName)).toHaveLength(1);
    } finally {
      await pool.uncordon(pool.nodes);
    }
    expect(await healthy(p)).toEqual(before);
    expect([...(await events(p, 'PodCliqueSetReplicaDeleteSuccessful')), ...(await events(p, 'PodCliqueScalingGroupReplicaDeleteSuccessful'))]).toEqual([]);
    await remove(p);
  });
});

describe.skipIf(!present)('gang termination across a kill -9 of the copse server', { timeout: 4 * STEP_MS }, () => {
  afterAll(async () => {
    // Whatever happened, leave a running server behind for the next file.
    await upStack({ log: () => {} });
  });

  it('the restarted server recycles at the deadline from lastTransitionTime, each PodClique exactly once', async () => {
    const p = 'gtcrash';
    // Long enough that a server restart (key generation, informer sync: 10–25 s on this busy machine)
    // comes back inside the delay, so the deadline is the restarted server's to keep.
    const before = await deploy('workload1-gt.yaml', p, `${CRASH_DELAY_MS / 1000}s`);
    // Every PodClique uid seen while this runs: a second recycle would show a third uid for a name.
    const seen = new Map<string, Set<string>>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const q of await pclqs(p).catch(() => [])) {
          const set = seen.get(q.metadata.name ?? '') ?? new Set<string>();
          set.add(q.metadata.uid ?? '');
          seen.set(q.metadata.name ?? '', set);
        }
        await sleep(200);
      }
    })();
    const [victim] = await podsOf(`${p}-0-pc-a`);
    await holdUnready([victim as Pod]);
    const breach = await breachedAt(RESOURCES.podCliques, `${p}-0-pc-a`);
    // Kill inside the delay, stay down a while, come back before the deadline.
    await sleep(Math.max(0, breach + 3_000 - Date.now()));
    const rec = readRecord(stateDir(), SERVER_PROCESS);
    if (!rec || !isRunning(rec)) throw new Error('the copse server is not running');
    process.kill(rec.pid, 'SIGKILL');
    await eventually('the copse server to be gone', async () => !isRunning(rec));
    await sleep(2_000);
    await upStack({ log: () => {} });
    expect(readRecord(stateDir(), SERVER_PROCESS)?.pid).not.toBe(rec.pid);
    expect(Date.now()).toBeLessThan(breach + CRASH_DELAY_MS);

    await replicaRecycled(p, before, breach, CRASH_DELAY_MS);
    await healthy(p);
    await sleep(2_000);
    watching = false;
    await watcher;
    // Recycled exactly once: two incarnations of each PodClique, one event.
    expect(Object.fromEntries([...seen].map(([n, s]) => [n, s.size]))).toEqual(Object.fromEntries(ALL1(p).map((n) => [n, 2])));
    expect((await events(p, 'PodCliqueSetReplicaDeleteSuccessful')).reduce((s, e) => s + (e.count ?? 1), 0)).toBe(1);
    await remove(p);
  });
});
