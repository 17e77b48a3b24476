// Benchmarks of the desired-state core (api/desired): one PCS controller pass over a large PodCliqueSet
// with every child and pod present, as in steady state. Shapes follow Grove's scale e2e workloads.
import { performance } from 'node:perf_hooks';

import { defaultSchedulerBackend, desiredPodCliqueSetTree } from '../../api/desired/index.js';
import type { PodCliqueSet } from '../../api/generated/types.js';
import { NO_TOPOLOGY, clique, pcsOf, simulate } from '../support/desired.js';
import { type LatencyResult, summarize } from './admission.js';

/** scale-test-1000: 500 replicas of one clique with 2 pods (1000 pods, 500 gangs). */
function scaleTest(): PodCliqueSet {
  return pcsOf('scale-test-1000', { cliques: [clique('expert-worker', 2)] }, 500);
}

/** mn-disagg ×50: frontend 2, prefill [leader 1, worker 3] ×2 (min 1), decode [leader 1, worker 2] ×1 (650 pods). */
function disaggregated(): PodCliqueSet {
  return pcsOf(
    'mn-disagg',
    {
      cliques: [clique('frontend', 2), clique('pleader', 1), clique('pworker', 3), clique('dleader', 1), clique('dworker', 2)],
      podCliqueScalingGroups: [
        { name: 'prefill', cliqueNames: ['pleader', 'pworker'], replicas: 2 },
        { name: 'decode', cliqueNames: ['dleader', 'dworker'], replicas: 1 },
      ],
    },
    50,
  );
}

function benchTree(name: string, pcs: PodCliqueSet, iterations: number): LatencyResult {
  const g = simulate(pcs);
  const input = {
    pcs,
    existing: { podCliques: g.podCliques, scalingGroups: g.scalingGroups, podGangs: g.tree.podGangs, pods: g.pods },
    topology: NO_TOPOLOGY,
    backend: defaultSchedulerBackend,
  };
  for (let i = 0; i < 3; i++) desiredPodCliqueSetTree(input);
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    desiredPodCliqueSetTree(input);
    samples.push(performance.now() - s);
  }
  return summarize(`${name} (${g.pods.length} pods, ${g.tree.podGangs.length} gangs)`, samples, performance.now() - t0);
}

export const DESIRED_SCALE_TEST = 'desired: PCS tree, 500 replicas × 1 clique';
export const DESIRED_DISAGGREGATED = 'desired: PCS tree, 50 replicas × (frontend + 2 scaling groups)';

export function benchDesired(iterations: number): LatencyResult[] {
  return [benchTree(DESIRED_SCALE_TEST, scaleTest(), iterations), benchTree(DESIRED_DISAGGREGATED, disaggregated(), iterations)];
}
