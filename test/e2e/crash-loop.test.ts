// Bounded restarts on the real local control plane: a PodClique whose pod crash-loops reports
// CrashLooping=True (reason RestartLimitExceeded, naming pod, container, count and last exit) once the
// pod has restarted copse.io/crash-loop-restarts times, with a Warning Event, and False again with a
// Normal Event once the pod is replaced.
//
// Simulated nodes run no containers, so the test plays the kubelet's part: it holds the pod unready
// (the kwok stages' sim.copse.io/ready hook, so no stage rewrites the status) and writes the
// container status a kubelet writes for a crash-looping container (waiting CrashLoopBackOff, the
// restart count, the last termination) through the pod's status subresource.
import { describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { PodClique } from '../../api/index.js';
import { ANNOTATION_CRASH_LOOP_RESTARTS } from '../../api/rules/update-policy.js';
import { ANNOTATION_SIM_READY } from '../../cluster/kwok-stages.js';
import { RESOURCES } from '../../kube/resources.js';
import { isReady, listIn, testClient } from '../support/dynamic.js';
import { groveSamplesPresent } from '../support/grove-samples.js';
import { eventually } from '../support/kube.js';
import { STEP_MS, rolloutSuite, nameOf } from '../support/rollout.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const present = groveSamplesPresent({ suite: 'crash loop', suites: 1, sub: 'e2e-workloads' });
const PCLQ = 'loop-0-pc-a';

const suite = rolloutSuite(client, 'crashloop');

/** What a kubelet reports for a container in CrashLoopBackOff that has restarted `restarts` times. */
async function crashLoop(pod: Pod, restarts: number): Promise<void> {
  const c = pod.spec?.containers[0];
  const at = new Date().toISOString();
  await client.patch(RESOURCES.pods, nameOf(pod), suite.ns, {
    status: {
      containerStatuses: [
        {
          name: c?.name ?? '',
          image: c?.image ?? '',
          imageID: '',
          ready: false,
          started: false,
          restartCount: restarts,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${c?.name ?? ''}` } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at } },
        },
      ],
    },
  }, { subresource: 'status' });
}

async function condition(want: (c: { status: string; reason?: string; message?: string }) => boolean, what: string) {
  return eventually(`${PCLQ}: CrashLooping ${what}`, async () => {
    const pclq = (await client.get(RESOURCES.podCliques, PCLQ, suite.ns)) as PodClique;
    const c = pclq.status?.conditions?.find((x) => x.type === 'CrashLooping');
    return c && want(c) ? c : undefined;
  }, STEP_MS, 300);
}

async function eventsOf(reason: string): Promise<string[]> {
  const all = await listIn(client, RESOURCES.events, suite.ns);
  return all.filter((e) => e.involvedObject.kind === 'PodClique' && e.involvedObject.name === PCLQ && e.reason === reason).map((e) => `${e.type} ${e.message ?? ''}`);
}

describe.skipIf(!present)('bounded restarts', { timeout: 3 * STEP_MS }, () => {
  it('CrashLooping turns True at the limit (3), names pod, container, count and last exit, with a Warning Event; False again once the pod is replaced', async () => {
    await suite.rt.create('workload1.yaml', 'loop', 1, { [ANNOTATION_CRASH_LOOP_RESTARTS]: '3' });
    const before = await suite.rt.allReady('loop', 10);
    const victim = before.filter((p) => p.metadata?.labels?.['grove.io/podclique'] === PCLQ).map(nameOf).sort()[0] ?? '';
    await condition((c) => c.status === 'False' && c.reason === 'RestartsWithinLimit', 'False at first');

    await client.patch(RESOURCES.pods, victim, suite.ns, { metadata: { annotations: { [ANNOTATION_SIM_READY]: 'false' } } });
    const held = await eventually(`${victim} unready`, async () => {
      const p = await client.get(RESOURCES.pods, victim, suite.ns);
      return isReady(p) ? undefined : p;
    }, STEP_MS, 300);

    await crashLoop(held, 2);
    await eventually(`${victim}: 2 restarts recorded`, async () => ((await client.get(RESOURCES.pods, victim, suite.ns)).status?.containerStatuses?.[0]?.restartCount === 2 ? true : undefined), 30_000, 200);
    // Below the limit for a while: no report.
    await new Promise((r) => setTimeout(r, 3000));
    const below = await condition(() => true, 'present');
    expect(below).toMatchObject({ status: 'False', reason: 'RestartsWithinLimit', message: 'No pod restarted 3 times or more' });
    expect(await eventsOf('CrashLooping')).toEqual([]);

    await crashLoop(held, 3);
    const over = await condition((c) => c.status === 'True', 'True');
    const message = `Pod ${victim} container pc-a restarted 3 times (limit 3); last exit code 1 (Error)`;
    expect(over).toMatchObject({ reason: 'RestartLimitExceeded', message });
    expect(await eventually('the CrashLooping Event', async () => ((await eventsOf('CrashLooping')).length > 0 ? eventsOf('CrashLooping') : undefined), 30_000, 300)).toEqual([`Warning ${message}`]);
    // A crash loop is no gang breach: nothing was deleted meanwhile.
    expect(suite.rt.log.deletions('loop')).toEqual([]);

    await client.delete(RESOURCES.pods, victim, suite.ns);
    await suite.rt.allReady('loop', 10);
    const back = await condition((c) => c.status === 'False', 'False after the replacement');
    expect(back).toMatchObject({ reason: 'RestartsWithinLimit', message: 'No pod restarted 3 times or more' });
    expect(await eventually('the CrashLoopEnded Event', async () => ((await eventsOf('CrashLoopEnded')).length > 0 ? eventsOf('CrashLoopEnded') : undefined), 30_000, 300)).toEqual(['Normal No pod restarted 3 times or more']);
    expect(suite.rt.log.deletions('loop').map((d) => d.pod)).toEqual([victim]);
  });
});
