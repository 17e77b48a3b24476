// RollingRecreate of a whole PodCliqueSet on the local cluster (issue 11): Grove's workload1 (pc-a,
// and the scaling group sg-x of pc-b and pc-c: 10 pods per replica) at `replicas`, every clique's
// template changed at once. Reported: the time from the change to the update's end with every pod
// Ready on its new template, and the service floor, the fewest available replicas the PodCliqueSet's
// status showed meanwhile (RollingRecreate takes one replica down at a time, so replicas - 1 is the
// best it can do).
import { performance } from 'node:perf_hooks';
import type { Pod } from '../../api/core/wire.js';
import type { PodCliqueSet } from '../../api/index.js';
import { LABEL_POD_TEMPLATE_HASH } from '../../api/keys.js';
import { isReady } from '../support/dynamic.js';
import type { DynamicClient } from '../../kube/dynamic.js';
import { RESOURCES } from '../../kube/resources.js';
import { groveWorkload } from '../support/workloads.js';
import { withNamespace } from './controllers.js';

export interface RolloutBenchResult {
  replicas: number;
  pods: number;
  /** Template change → updateEndedAt set, every replica updated and every pod Ready on a new template. */
  rolloutMs: number;
  /** The fewest `status.availableReplicas` seen during the rollout (sampled every 100 ms). */
  minAvailableReplicas: number;
  /** Replicas available before the change. */
  availableBefore: number;
}

const PODS_PER_REPLICA = 10;
const TIMEOUT_MS = 30 * 60_000;
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

export async function benchRollout(client: DynamicClient, replicas: number): Promise<RolloutBenchResult> {
  return withNamespace(client, 'bench-rollout', async (ns) => {
    const base = groveWorkload('workload1.yaml', ns);
    const name = 'roll';
    await client.create(RESOURCES.podCliqueSets, { ...base, metadata: { ...base.metadata, name }, spec: { ...base.spec, replicas } });
    const pods = replicas * PODS_PER_REPLICA;
    const podsOf = async (): Promise<Pod[]> =>
      (await client.list(RESOURCES.pods, { namespace: ns, labelSelector: `app.kubernetes.io/part-of=${name}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
    const get = async (): Promise<PodCliqueSet> => (await client.get(RESOURCES.podCliqueSets, name, ns)) as PodCliqueSet;
    let latest: PodCliqueSet | undefined;
    let pool: Pod[] = [];
    const poll = async (): Promise<void> => {
      latest = await get();
      pool = await podsOf();
    };
    const readyBy = performance.now() + TIMEOUT_MS;
    for (;;) {
      await poll();
      if (latest?.status?.availableReplicas === replicas && pool.length === pods && pool.every(isReady)) break;
      if (performance.now() > readyBy) throw new Error(`bench: ${name} did not become available in ${TIMEOUT_MS / 60_000} min`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const oldHashes = new Set(pool.map((p) => p.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] ?? ''));
    const availableBefore = latest?.status?.availableReplicas ?? 0;
    const spec = structuredClone((latest as PodCliqueSet).spec);
    for (const c of spec.template.cliques) {
      const main = c.spec.podSpec.containers[0];
      if (main) main.env = [...(main.env ?? []), { name: 'ROLL', value: 'v2' }];
    }
    const t0 = performance.now();
    await client.patch(RESOURCES.podCliqueSets, name, ns, { spec });
    let minAvailable = availableBefore;
    const deadline = t0 + TIMEOUT_MS;
    for (;;) {
      await poll();
      minAvailable = Math.min(minAvailable, latest?.status?.availableReplicas ?? 0);
      const p = latest?.status?.updateProgress;
      const done =
        p?.updateEndedAt !== undefined &&
        !p.currentlyUpdating &&
        latest?.status?.updatedReplicas === replicas &&
        pool.length === pods &&
        pool.every((x) => isReady(x) && !oldHashes.has(x.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] ?? ''));
      if (done) break;
      if (performance.now() > deadline) throw new Error(`bench: the rollout of ${replicas} replicas did not end in ${TIMEOUT_MS / 60_000} min`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const rolloutMs = performance.now() - t0;
    log(`rollout: ${replicas} replicas (${pods} pods) RollingRecreate in ${(rolloutMs / 1000).toFixed(1)} s, fewest available replicas ${minAvailable} of ${replicas}`);
    return { replicas, pods, rolloutMs, minAvailableReplicas: minAvailable, availableBefore };
  });
}
