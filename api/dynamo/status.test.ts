// DGD status from Grove's objects (dynamo-dgd.md §2.12): state, Ready condition, reasons and the
// operator's not-ready text.

import { describe, expect, it } from 'vitest';
import type { Condition, PodClique, PodCliqueScalingGroup } from '../generated/types.js';
import { dynamoGraphDeploymentStatus } from './status.js';
import { testDgd, testService } from './testing.js';

const NOW = '2025-11-10T12:00:00Z';
const EARLIER = '2025-11-10T11:00:00Z';

function pclq(name: string, replicas: number, readyReplicas?: number): PodClique {
  return {
    metadata: { name },
    spec: { roleName: 'r', replicas, podSpec: { containers: [] } },
    ...(readyReplicas === undefined ? {} : { status: { readyReplicas, updatedReplicas: 0, scheduleGatedReplicas: 0, scheduledReplicas: 0 } }),
  };
}

function pcsg(name: string, replicas: number, availableReplicas: number): PodCliqueScalingGroup {
  return { metadata: { name }, spec: { replicas, cliqueNames: [] }, status: { availableReplicas, scheduledReplicas: 0, updatedReplicas: 0 } };
}

const walkthroughLike = () =>
  testDgd(
    { Frontend: testService({ componentType: 'frontend' }), VllmDecodeWorker: testService({ replicas: 2 }), VllmPrefillWorker: testService() },
    { name: 'dynamo-grove' },
  );

const allReady = [
  pclq('dynamo-grove-0-frontend', 1, 1),
  pclq('dynamo-grove-0-vllmdecodeworker', 2, 2),
  pclq('dynamo-grove-0-vllmprefillworker', 1, 1),
];

describe('dynamoGraphDeploymentStatus', () => {
  it('successful, Ready True, all_resources_are_ready when every PodClique has all replicas ready', () => {
    expect(dynamoGraphDeploymentStatus({ dgd: walkthroughLike(), podCliques: allReady, scalingGroups: [], now: NOW })).toEqual({
      state: 'successful',
      conditions: [{ type: 'Ready', status: 'True', reason: 'all_resources_are_ready', message: 'All resources are ready', lastTransitionTime: NOW }],
    });
  });

  it('pending, Ready False, with "Resources not ready: <pcs>: podclique/<name>: desired=…, ready=…" joined by "; " in clique order', () => {
    const pods = [pclq('dynamo-grove-0-vllmprefillworker', 1, 0), pclq('dynamo-grove-0-vllmdecodeworker', 2, 1)];
    expect(dynamoGraphDeploymentStatus({ dgd: walkthroughLike(), podCliques: pods, scalingGroups: [], now: NOW })).toEqual({
      state: 'pending',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'some_resources_are_not_ready',
          message:
            'Resources not ready: dynamo-grove: podclique/dynamo-grove-0-frontend: resource not found; ' +
            'podclique/dynamo-grove-0-vllmdecodeworker: desired=2, ready=1; podclique/dynamo-grove-0-vllmprefillworker: desired=1, ready=0',
          lastTransitionTime: NOW,
        },
      ],
    });
  });

  it('a PodClique without status counts 0 ready; one with 0 desired replicas counts as ready', () => {
    const dgd = testDgd({ A: testService(), B: testService() }, { name: 'g' });
    const s = dynamoGraphDeploymentStatus({ dgd, podCliques: [pclq('g-0-a', 1), pclq('g-0-b', 0, 0)], scalingGroups: [], now: NOW });
    expect(s.conditions?.[0]?.message).toBe('Resources not ready: g: podclique/g-0-a: desired=1, ready=0');
  });

  it('multinode services read the PodCliqueScalingGroup of the same name and its availableReplicas', () => {
    const dgd = testDgd({ W: testService({ multinode: { nodeCount: 2 } }) }, { name: 'g' });
    const not = dynamoGraphDeploymentStatus({ dgd, podCliques: [], scalingGroups: [pcsg('g-0-w', 3, 2)], now: NOW });
    expect(not.conditions?.[0]?.message).toBe('Resources not ready: g: pcsg/g-0-w: desired=3, available=2');
    const missing = dynamoGraphDeploymentStatus({ dgd, podCliques: [], scalingGroups: [], now: NOW });
    expect(missing.conditions?.[0]?.message).toBe('Resources not ready: g: pcsg/g-0-w: resource not found');
    expect(dynamoGraphDeploymentStatus({ dgd, podCliques: [], scalingGroups: [pcsg('g-0-w', 3, 3)], now: NOW }).state).toBe('successful');
  });

  it('failed, Ready False with the error text on a reconcile error', () => {
    const s = dynamoGraphDeploymentStatus({
      dgd: walkthroughLike(),
      podCliques: allReady,
      scalingGroups: [],
      error: { message: 'spec.services[W].ingress.enabled: Forbidden: copse does not create Ingress or VirtualService objects' },
      now: NOW,
    });
    expect(s).toEqual({
      state: 'failed',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'failed_to_reconcile_the_resources',
          message: 'spec.services[W].ingress.enabled: Forbidden: copse does not create Ingress or VirtualService objects',
          lastTransitionTime: NOW,
        },
      ],
    });
  });

  it('keeps the transition time while Ready keeps its status, and other conditions as they are', () => {
    const other: Condition = { type: 'Custom', status: 'True', reason: 'x', message: 'y', lastTransitionTime: EARLIER };
    const dgd = walkthroughLike();
    dgd.status = {
      state: 'successful',
      conditions: [other, { type: 'Ready', status: 'True', reason: 'all_resources_are_ready', message: 'All resources are ready', lastTransitionTime: EARLIER }],
    };
    const same = dynamoGraphDeploymentStatus({ dgd, podCliques: allReady, scalingGroups: [], now: NOW });
    expect(same.conditions).toEqual([other, { type: 'Ready', status: 'True', reason: 'all_resources_are_ready', message: 'All resources are ready', lastTransitionTime: EARLIER }]);
    const flipped = dynamoGraphDeploymentStatus({ dgd, podCliques: [], scalingGroups: [], now: NOW });
    expect(flipped.conditions?.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Custom', 'True', EARLIER],
      ['Ready', 'False', NOW],
    ]);
  });
});
