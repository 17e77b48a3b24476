// The native controller's wake-ups (issue 10): a gang that waits on the other gangs of its
// PodCliqueSet is reconciled again only when a pod of that unit binds or goes, not on every pod event
// (which made a 1000-pod deploy run ~840,000 passes). These passes set no requeue, so a lost wake-up
// would leave the gang gated for good: each test binds a pod elsewhere in the unit through a watch
// event and expects the waiting gang's pods to be released.
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../api/core/wire.js';
import type { PodGang } from '../../api/generated/types.js';
import { LABEL_BASE_PODGANG, LABEL_PART_OF, LABEL_PODCLIQUE, LABEL_PODGANG } from '../../api/keys.js';
import { ANNOTATION_BACKEND, NATIVE_GATE, leafPodGroupName, nativeObjects } from '../../api/native/index.js';
import { Manager } from '../../controllers/runtime/manager.js';
import type { ObjectLike } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { silentLog } from '../../test/support/controller-harness.js';
import { eventually } from '../../test/support/kube.js';
import { MemoryEvents, type Write, memoryClient } from '../../test/support/memory-client.js';
import { registerNativeScheduling, type NativeScheduling } from './controller.js';
import { NATIVE_RESOURCES } from './resources.js';

const NS = 'ns';
const PCS = 'w';

function gang(name: string, min = 1): PodGang {
  return {
    apiVersion: 'scheduler.grove.io/v1alpha1',
    kind: 'PodGang',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels: { [LABEL_PART_OF]: PCS }, annotations: { [ANNOTATION_BACKEND]: 'native' } },
    spec: { podgroups: [{ name: `${name}-pc-a`, podReferences: [], minReplicas: min }] },
  } as PodGang;
}

/** Pod `index` of gang `g`'s clique; a member of its PodGroup unless `extra`. */
function pod(g: string, index: number, o: { base?: string; node?: string; gated?: boolean; extra?: boolean } = {}): Pod {
  const clique = `${g}-pc-a`;
  return {
    metadata: {
      name: `${clique}-${index}`,
      namespace: NS,
      uid: `uid-${clique}-${index}`,
      resourceVersion: '1',
      labels: { [LABEL_PART_OF]: PCS, [LABEL_PODGANG]: g, [LABEL_PODCLIQUE]: clique, ...(o.base ? { [LABEL_BASE_PODGANG]: o.base } : {}) },
    },
    spec: {
      containers: [{ name: 'c' }],
      ...(o.extra ? {} : { schedulingGroup: { podGroupName: leafPodGroupName(clique) } }),
      ...(o.gated ? { schedulingGates: [{ name: NATIVE_GATE }] } : {}),
      ...(o.node ? { nodeName: o.node } : {}),
    } as Pod['spec'],
  };
}

const node: Node = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } };

interface Running {
  native: NativeScheduling;
  events: MemoryEvents;
  writes: Write[];
  patches: unknown[];
}

const started: Manager[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.stop()));
});

/** The native controller over `gangs` (their translated objects exist) and `pods`, running. */
async function run(gangs: PodGang[], pods: Pod[]): Promise<Running> {
  const natives = gangs.map(nativeObjects);
  const objects = new Map<string, readonly ObjectLike[]>([
    [RESOURCES.podGangs.resource, gangs],
    [RESOURCES.pods.resource, pods],
    [RESOURCES.nodes.resource, [node]],
    [NATIVE_RESOURCES.workloads.resource, natives.map((n) => n.workload)],
    [NATIVE_RESOURCES.compositePodGroups.resource, natives.flatMap((n) => n.composites)],
    [NATIVE_RESOURCES.podGroups.resource, natives.flatMap((n) => n.podGroups)],
  ]);
  const events = new MemoryEvents();
  const writes: Write[] = [];
  const patches: unknown[] = [];
  const manager = new Manager({ client: memoryClient(objects, writes, patches, [], [], events), log: silentLog });
  started.push(manager);
  const native = registerNativeScheduling(manager, { onPendingReason: () => {}, log: silentLog });
  await manager.start();
  return { native, events, writes, patches };
}

/** `probe` answered within 3 s (under the test's own 5 s timeout, so the failure names what it waited for). */
const until = <T>(what: string, probe: () => T | undefined): Promise<T> => eventually(what, async () => probe(), 3_000, 10);

/** The controller's queue is empty and no pass is running. */
const settled = (r: Running) => until('the native controller idle', () => (r.native.controller.queue?.idle() ? true : undefined));

const liftedPods = (r: Running) => r.writes.filter((w) => w.verb === 'patch' && w.kind === 'Pod').map((w) => w.name);
const bound = (p: Pod, nodeName = 'n1'): Pod => ({ ...p, metadata: { ...p.metadata, resourceVersion: '2' }, spec: { ...p.spec, containers: p.spec?.containers ?? [], nodeName } });

describe('native controller wake-ups', () => {
  it('releases a scaled gang when the last base gang of the PodCliqueSet binds (Grove GS10)', async () => {
    const waitingBase = pod('w-1', 0);
    const scaled = pod('w-0-sg-x-0', 0, { base: 'w-0', gated: true });
    const r = await run([gang('w-0'), gang('w-1'), gang('w-0-sg-x-0')], [pod('w-0', 0, { node: 'n1' }), waitingBase, scaled]);
    const reason = await until('the scaled gang waiting for w-1', () => r.native.pendingReason(gang('w-0-sg-x-0')));
    expect(reason).toEqual({
      reason: 'BaseGangsPending',
      message: 'a scaled gang is released after the base gang of every replica has its minimum bound; waiting for w-1.',
    });
    expect(liftedPods(r)).toEqual([]);

    // A change to the waiting base pod that does not bind it leaves the scaled gang gated.
    r.events.emit(RESOURCES.pods.resource, 'MODIFIED', { ...waitingBase, metadata: { ...waitingBase.metadata, labels: { ...waitingBase.metadata?.labels, seen: 'yes' } } });
    await settled(r);
    expect(liftedPods(r)).toEqual([]);

    expect(r.events.emit(RESOURCES.pods.resource, 'MODIFIED', bound(waitingBase))).toBeGreaterThan(0);
    await until('the scaled gang released', () => (liftedPods(r).includes('w-0-sg-x-0-pc-a-0') ? true : undefined));
    expect(r.native.pendingReason(gang('w-0-sg-x-0'))?.reason).not.toBe('BaseGangsPending');
    expect(r.patches).toContainEqual({ spec: { schedulingGates: [] } });
  });

  it("releases a gang's extras when the rest of the PodCliqueSet has its minimum bound", async () => {
    const waiting = pod('w-1', 0);
    const extra = pod('w-0', 1, { extra: true, gated: true });
    const r = await run([gang('w-0'), gang('w-1')], [pod('w-0', 0, { node: 'n1' }), extra, waiting]);
    // Every gang has had its pass; the extra waits for w-1's minimum, and nothing set a requeue.
    await settled(r);
    expect(liftedPods(r)).toEqual([]);

    r.events.emit(RESOURCES.pods.resource, 'MODIFIED', bound(waiting));
    await until('the extra released', () => (liftedPods(r).includes('w-0-pc-a-1') ? true : undefined));
  });
});
