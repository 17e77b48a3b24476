// Brings the real local control plane up once per test run, or reuses one that is
// already running (e.g. from `npm start`). Only a cluster started here is stopped
// again at the end, so a developer's running cluster survives `npm test`.
import type { TestProject } from 'vitest/node';
import { adminKubeconfigPath, down, status, up } from '../../cluster/local.js';

let startedHere = false;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const before = await status();
  if (!before.healthy) {
    const t0 = Date.now();
    await up({ log: (l) => process.stderr.write(`[global-setup] ${l}\n`) });
    process.stderr.write(`[global-setup] local control plane ready in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
    startedHere = true;
  }
  const report = await status();
  project.provide('kubeconfig', adminKubeconfigPath());
  project.provide('apiserverPort', report.state?.ports.apiserver ?? 0);
  project.provide('expectedNodes', report.state?.shape.nodes ?? 0);
  return async () => {
    if (startedHere && !process.env.COPSE_KEEP_CLUSTER) await down({ log: (l) => process.stderr.write(`[global-teardown] ${l}\n`) });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    apiserverPort: number;
    expectedNodes: number;
  }
}
