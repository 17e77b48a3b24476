import { describe, expect, it } from 'vitest';
import type { PodGang } from '../../api/generated/types.js';
import { gangFromPodGang } from './from-podgang.js';
import { podSpec, RACK, HOST, BLOCK } from './fixtures.js';
import type { Pod } from './kube-types.js';

const pod = (name: string, nodeName?: string): Pod => ({ metadata: { name, namespace: 'ns' }, spec: { ...podSpec({ cpu: '1' }), ...(nodeName ? { nodeName } : {}) } });

describe('gangFromPodGang', () => {
  const gang: PodGang = {
    metadata: { name: 'pcs-0', namespace: 'ns' },
    spec: {
      topologyConstraint: { packConstraint: { required: BLOCK, preferred: RACK } },
      topologyConstraintGroupConfigs: [{ name: 'pcs-0-sg-0', podGroupNames: ['pcs-0-sg-0-w'], topologyConstraint: { packConstraint: { required: RACK } } }],
      podgroups: [
        { name: 'pcs-0-router', minReplicas: 1, podReferences: [{ namespace: 'ns', name: 'r-a' }, { namespace: 'ns', name: 'r-b' }] },
        { name: 'pcs-0-sg-0-w', minReplicas: 2, podReferences: [{ namespace: 'ns', name: 'w-a' }, { namespace: 'ns', name: 'w-b' }], topologyConstraint: { packConstraint: { preferred: HOST } } },
      ],
    },
  };

  it('maps constraints, group configs and pods; bound or reserved pods keep their node; missing pods are left out', () => {
    const pods = new Map([pod('r-a', 'n1'), pod('w-a'), pod('w-b')].map((p) => [p.metadata?.name ?? '', p]));
    const g = gangFromPodGang(gang, pods, new Map([['w-b', 'n2']]));
    expect(g).toEqual({
      name: 'pcs-0',
      pack: { required: BLOCK, preferred: RACK },
      groupConfigs: [{ name: 'pcs-0-sg-0', podGroupNames: ['pcs-0-sg-0-w'], pack: { required: RACK } }],
      podGroups: [
        { name: 'pcs-0-router', minReplicas: 1, pods: [{ name: 'r-a', spec: pods.get('r-a')?.spec, nodeName: 'n1' }] },
        {
          name: 'pcs-0-sg-0-w',
          minReplicas: 2,
          pack: { preferred: HOST },
          pods: [
            { name: 'w-a', spec: pods.get('w-a')?.spec },
            { name: 'w-b', spec: pods.get('w-b')?.spec, nodeName: 'n2' },
          ],
        },
      ],
    });
  });

  it('drops constraints that name no key', () => {
    const bare: PodGang = { metadata: { name: 'g' }, spec: { topologyConstraint: { packConstraint: {} }, podgroups: [] } };
    expect(gangFromPodGang(bare, new Map())).toEqual({ name: 'g', podGroups: [] });
  });
});
