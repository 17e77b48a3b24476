// Brings the real local stack up once per test run: the control plane, copse
// installed into it, and the copse server process, exactly as `copse up` does.
// A healthy stack that is already running (e.g. from `npm start`) is reused, and
// only a control plane started here is stopped again at the end.
//
// COPSE_WORKLOAD_SCHEDULING=native|off asks for a workload-scheduling mode (see
// cluster/workload-scheduling.ts); unset, a reused cluster keeps its mode and a new
// one starts with 'off'. A reused cluster switched to another mode for the run is
// switched back afterwards.
import type { TestProject } from 'vitest/node';
import { adminKubeconfigPath, status, up } from '../../cluster/local.js';
import { parseWorkloadSchedulingMode, type WorkloadSchedulingMode } from '../../cluster/workload-scheduling.js';
import { downStack, upStack } from '../../cli/stack.js';

export type Teardown = { action: 'down' } | { action: 'restore'; mode: WorkloadSchedulingMode } | { action: 'leave' };

/** What to do after the run with the control plane the setup found (or did not find). */
export function teardownFor(before: { healthy: boolean; mode?: WorkloadSchedulingMode }, used: WorkloadSchedulingMode, keep: boolean): Teardown {
  if (!before.healthy) return keep ? { action: 'leave' } : { action: 'down' };
  if (before.mode !== undefined && before.mode !== used) return { action: 'restore', mode: before.mode };
  return { action: 'leave' };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (prefix: string) => (l: string) => process.stderr.write(`[${prefix}] ${l}\n`);
  const requested = parseWorkloadSchedulingMode(process.env.COPSE_WORKLOAD_SCHEDULING, 'COPSE_WORKLOAD_SCHEDULING');
  const before = await status();
  const t0 = Date.now();
  const stack = await upStack({ ...(requested ? { workloadScheduling: requested } : {}), log: log('global-setup') });
  const mode = stack.cluster.state.workloadScheduling;
  process.stderr.write(
    `[global-setup] stack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s${before.healthy ? ' (reused a running control plane)' : ''}; workload scheduling ${mode}\n`,
  );
  project.provide('kubeconfig', adminKubeconfigPath());
  project.provide('apiserverPort', stack.cluster.state.ports.apiserver);
  project.provide('expectedNodes', stack.cluster.state.shape.nodes);
  project.provide('serverUrl', stack.serverUrl);
  project.provide('workloadScheduling', mode);
  const teardown = teardownFor({ healthy: before.healthy, ...(before.workloadScheduling ? { mode: before.workloadScheduling } : {}) }, mode, Boolean(process.env.COPSE_KEEP_CLUSTER));
  return async () => {
    if (teardown.action === 'down') await downStack({ log: log('global-teardown') });
    if (teardown.action === 'restore') await up({ workloadScheduling: teardown.mode, log: log('global-teardown') });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    apiserverPort: number;
    expectedNodes: number;
    serverUrl: string;
    workloadScheduling: WorkloadSchedulingMode;
  }
}
