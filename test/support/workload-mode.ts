// One e2e file's workload-scheduling mode on the suite's shared local cluster: switched in the file's
// first beforeAll (restarting kube-apiserver, kube-scheduler, kube-controller-manager and the copse
// server, which probes the cluster again) and switched back in its last afterAll. This is safe only
// because the e2e project runs its files one at a time (vitest.config.ts, fileParallelism: false):
// no other file sees the cluster while it is in another mode.
import { afterAll, beforeAll } from 'vitest';
import { upStack } from '../../cli/stack.js';
import { status } from '../../cluster/local.js';
import type { WorkloadSchedulingMode } from '../../cluster/workload-scheduling.js';

const quiet = () => {};

/**
 * Run the calling file with the cluster in `mode` (a no-op when it already is); call it at the top
 * level of the file, before its describe blocks, so the switch back comes after their cleanup.
 */
export function useWorkloadScheduling(mode: WorkloadSchedulingMode): void {
  let before: WorkloadSchedulingMode | undefined;
  beforeAll(async () => {
    before = (await status()).workloadScheduling;
    if (before !== mode) await upStack({ workloadScheduling: mode, log: quiet });
  });
  afterAll(async () => {
    if (before && before !== mode) await upStack({ workloadScheduling: before, log: quiet });
  });
}
