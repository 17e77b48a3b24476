// Startup ordering latency on the local control plane: the time from the last parent pod turning
// Ready to the child's `copse initc` exiting (as the local runner reports it, to the millisecond).
// Each PodCliqueSet replica has a leader held unready (the kwok hook sim.copse.io/ready=false) and two
// workers whose init programs wait for it; once every program is running, the leaders are released
// one replica at a time and each worker's exit is timed against the moment the watch saw its leader
// Ready. Program start-up is excluded on purpose: on a real node it overlaps with image pulls and
// with the parents' own start, and it is what a loaded machine slows down most.
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import { INIT_CONTAINER_NAME, LABEL_PODCLIQUE } from '../../api/keys.js';
import { ANNOTATION_SIM_READY } from '../../cluster/kwok-stages.js';
import { RESOURCES } from '../../kube/resources.js';
import { createNamespace, listIn, testClient } from '../support/dynamic.js';
import { eventually } from '../support/kube.js';
import { recordStartup } from '../support/startup-order.js';
import { summarize, type LatencyResult } from './stats.js';

export const STARTUP_BENCH = 'startup: last parent Ready → copse initc exit (program waiting)';

function pcs(namespace: string, replicas: number): PodCliqueSet {
  const clique = (name: string, extra: Record<string, unknown>) => ({
    name,
    ...extra,
    spec: {
      roleName: name,
      replicas: name === 'leader' ? 1 : 2,
      minAvailable: name === 'leader' ? 1 : 2,
      ...(name === 'worker' ? { startsAfter: ['leader'] } : {}),
      podSpec: { terminationGracePeriodSeconds: 1, containers: [{ name, image: 'busybox' }] },
    },
  });
  return {
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name: 'bso', namespace },
    spec: {
      replicas,
      template: {
        cliqueStartupType: 'CliqueStartupTypeExplicit',
        cliques: [clique('leader', { annotations: { [ANNOTATION_SIM_READY]: 'false' } }), clique('worker', {})],
      },
    },
  } as unknown as PodCliqueSet;
}

const initRunning = (p: Pod): boolean => p.status?.initContainerStatuses?.some((c) => c.name === INIT_CONTAINER_NAME && c.state?.running) ?? false;

/** `replicas` gangs, two waiting workers each; `settleMs` lets every program finish starting before the release. */
export async function benchStartup(kubeconfig: string, replicas = 10, settleMs = 10_000): Promise<LatencyResult[]> {
  const client = testClient(kubeconfig);
  const ns = await createNamespace(client, 'bench-startup');
  const rec = await recordStartup(client, ns.name);
  const t0 = Date.now();
  try {
    await client.create(RESOURCES.podCliqueSets, pcs(ns.name, replicas));
    await eventually(
      `${2 * replicas} worker init programs running`,
      async () => {
        const ws = await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PODCLIQUE} in (${Array.from({ length: replicas }, (_, i) => `bso-${i}-worker`).join(',')})`);
        return ws.length === 2 * replicas && ws.every(initRunning);
      },
      300_000,
      500,
    );
    await new Promise((r) => setTimeout(r, settleMs));
    const samples: number[] = [];
    for (let i = 0; i < replicas; i++) {
      const [leader] = await listIn(client, RESOURCES.pods, ns.name, `${LABEL_PODCLIQUE}=bso-${i}-leader`);
      await client.patch(RESOURCES.pods, leader?.metadata?.name ?? '', ns.name, { metadata: { annotations: { [ANNOTATION_SIM_READY]: 'true' } } });
      const exits = await eventually(`bso-${i} workers exited`, async () => {
        const es = rec.exits().filter((e) => e.gang === `bso-${i}`);
        return es.length === 2 ? es : undefined;
      }, 60_000, 50);
      const ready = rec.reached(`bso-${i}`, `bso-${i}-leader`, 1);
      if (!ready) throw new Error(`bso-${i}-leader was never seen Ready`);
      for (const e of exits) {
        if (e.exitCode !== 0) throw new Error(`${e.pod}: copse initc exited ${e.exitCode}`);
        samples.push(e.finishedAtMs - ready.atMs);
      }
    }
    return [summarize(STARTUP_BENCH, samples, Date.now() - t0)];
  } finally {
    await rec.stop();
    await ns.cleanup();
  }
}
