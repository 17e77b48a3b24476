// Brings the real local stack up once per test run: the control plane, copse
// installed into it, and the copse server process, exactly as `copse up` does.
// A healthy stack that is already running (e.g. from `npm start`) is reused, and
// only a control plane started here is stopped again at the end.
import type { TestProject } from 'vitest/node';
import { adminKubeconfigPath, down, status } from '../../cluster/local.js';
import { upStack } from '../../cli/stack.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const before = await status();
  const t0 = Date.now();
  const stack = await upStack({ log: (l) => process.stderr.write(`[global-setup] ${l}\n`) });
  process.stderr.write(`[global-setup] stack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s${before.healthy ? ' (reused a running control plane)' : ''}\n`);
  project.provide('kubeconfig', adminKubeconfigPath());
  project.provide('apiserverPort', stack.cluster.state.ports.apiserver);
  project.provide('expectedNodes', stack.cluster.state.shape.nodes);
  project.provide('serverUrl', stack.serverUrl);
  return async () => {
    if (!before.healthy && !process.env.COPSE_KEEP_CLUSTER) await down({ log: (l) => process.stderr.write(`[global-teardown] ${l}\n`) });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    apiserverPort: number;
    expectedNodes: number;
    serverUrl: string;
  }
}
