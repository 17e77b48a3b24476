import { describe, expect, it } from 'vitest';

import { clique, created, pcsOf } from '../../test/support/desired.js';
import type { PodClique, PodCliqueSet } from '../generated/types.js';
import { podTemplateHash } from './hash.js';
import { desiredMemberPodClique, desiredStandalonePodClique, groupTemplateNumPods } from './podclique.js';

function pcs(): PodCliqueSet {
  const front = clique('frontend', 2, { autoScalingConfig: { minReplicas: 2, maxReplicas: 6 } });
  front.labels = { tier: 'web', 'app.kubernetes.io/component': 'mine' };
  front.annotations = { note: 'kept', 'grove.io/topology-name': 'stripped' };
  const worker = clique('worker', 3);
  worker.spec.podSpec.containers[0]!.env = [
    { name: 'GROVE_PCSG_INDEX', value: 'overridden' },
    { name: 'RANK', value: '$(GROVE_PCSG_INDEX)' },
  ];
  return pcsOf(
    'llm',
    {
      priorityClassName: 'high',
      cliqueStartupType: 'CliqueStartupTypeInOrder',
      cliques: [front, clique('leader', 1), worker],
      podCliqueScalingGroups: [{ name: 'decode', cliqueNames: ['leader', 'worker'], replicas: 3, minAvailable: 2 }],
    },
    2,
  );
}

const pcsg = created({ metadata: { name: 'llm-1-decode' } });
const decode = () => pcs().spec.template.podCliqueScalingGroups![0]!;

describe('standalone PodClique <pcs>-<i>-<clique> (grove-compat §4.3, §4.4)', () => {
  const p = pcs();
  const pclq = desiredStandalonePodClique(p, 1, p.spec.template.cliques[0]!);

  it('metadata: labels (operator labels win), annotations, finalizer, PCS controller', () => {
    expect(pclq.metadata).toEqual({
      name: 'llm-1-frontend',
      namespace: 'ns',
      labels: {
        tier: 'web',
        'app.kubernetes.io/managed-by': 'grove-operator',
        'app.kubernetes.io/part-of': 'llm',
        'app.kubernetes.io/name': 'llm-1-frontend',
        'app.kubernetes.io/component': 'pcs-podclique',
        'grove.io/podcliqueset-replica-index': '1',
        'grove.io/podgang': 'llm-1',
        'grove.io/pod-template-hash': podTemplateHash(p, 'frontend'),
      },
      annotations: { note: 'kept', 'copse.io/template-replicas': '2' },
      finalizers: ['grove.io/podclique.grove.io'],
      ownerReferences: [
        { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueSet', name: 'llm', uid: 'uid-pcs-llm', controller: true, blockOwnerDeletion: true },
      ],
    });
  });

  it('spec: template spec, PCS priorityClassName in the pod spec, no startsAfter for the first clique', () => {
    expect(pclq.spec).toEqual({
      roleName: 'frontend',
      podSpec: {
        containers: [{ name: 'frontend', image: 'busybox' }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        priorityClassName: 'high',
      },
      replicas: 2,
      minAvailable: 2,
      autoScalingConfig: { minReplicas: 2, maxReplicas: 6 },
    });
  });

  it('keeps an HPA-scaled value, and with no HPA follows template edits but keeps direct scaling (§10.12)', () => {
    const scaled = { ...pclq, spec: { ...pclq.spec, replicas: 5 } };
    const edited = pcs();
    edited.spec.template.cliques[0]!.spec.replicas = 4;
    expect(desiredStandalonePodClique(edited, 1, edited.spec.template.cliques[0]!, scaled).spec.replicas).toBe(5);

    const plain = pcsOf('x', { cliques: [clique('a', 2)] });
    const a0 = desiredStandalonePodClique(plain, 0, plain.spec.template.cliques[0]!);
    const kubectlScaled: PodClique = { ...a0, spec: { ...a0.spec, replicas: 6 } };
    expect(desiredStandalonePodClique(plain, 0, plain.spec.template.cliques[0]!, kubectlScaled).spec.replicas).toBe(6);
    const plainEdited = structuredClone(plain);
    plainEdited.spec.template.cliques[0]!.spec.replicas = 3;
    const after = desiredStandalonePodClique(plainEdited, 0, plainEdited.spec.template.cliques[0]!, kubectlScaled);
    expect(after.spec.replicas).toBe(3);
    expect(after.metadata.annotations?.['copse.io/template-replicas']).toBe('3');
  });
});

describe('member PodClique <pcsg>-<j>-<clique> (grove-compat §4.3, §4.4)', () => {
  const p = pcs();
  const worker = p.spec.template.cliques[2]!;

  it('base replica: owned by the PCSG, in the base gang, no base-podgang label', () => {
    const m = desiredMemberPodClique(p, { pcsg, config: decode(), replica: 1, groupReplica: 1 }, worker);
    expect(m.metadata.name).toBe('llm-1-decode-1-worker');
    expect(m.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'grove-operator',
      'app.kubernetes.io/part-of': 'llm',
      'app.kubernetes.io/name': 'llm-1-decode-1-worker',
      'app.kubernetes.io/component': 'pcsg-podclique',
      'grove.io/podcliqueset-replica-index': '1',
      'grove.io/podgang': 'llm-1',
      'grove.io/pod-template-hash': podTemplateHash(p, 'worker'),
      'grove.io/podcliquescalinggroup': 'llm-1-decode',
      'grove.io/podcliquescalinggroup-replica-index': '1',
    });
    expect(m.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'grove.io/v1alpha1',
        kind: 'PodCliqueScalingGroup',
        name: 'llm-1-decode',
        uid: 'uid-llm-1-decode',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(m.metadata.finalizers).toEqual(['grove.io/podclique.grove.io']);
    // InOrder: worker waits for leader of every base replica.
    expect(m.spec.startsAfter).toEqual(['llm-1-decode-0-leader', 'llm-1-decode-1-leader']);
  });

  it('scaled replica: its own gang <pcsg>-<j-M> and grove.io/base-podgang', () => {
    const m = desiredMemberPodClique(p, { pcsg, config: decode(), replica: 1, groupReplica: 2 }, worker);
    expect(m.metadata.labels).toMatchObject({ 'grove.io/podgang': 'llm-1-decode-0', 'grove.io/base-podgang': 'llm-1' });
    expect(m.spec.startsAfter).toEqual(['llm-1-decode-2-leader']);
  });

  it('PCSG variables come first; a template variable of the same name is dropped, later ones kept', () => {
    const m = desiredMemberPodClique(p, { pcsg, config: decode(), replica: 1, groupReplica: 0 }, worker);
    expect(groupTemplateNumPods(p, decode())).toBe(4);
    expect(m.spec.podSpec.containers[0]?.env).toEqual([
      { name: 'GROVE_PCSG_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['grove.io/podcliquescalinggroup']" } } },
      { name: 'GROVE_PCSG_TEMPLATE_NUM_PODS', value: '4' },
      { name: 'GROVE_PCSG_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.labels['grove.io/podcliquescalinggroup-replica-index']" } } },
      { name: 'RANK', value: '$(GROVE_PCSG_INDEX)' },
    ]);
    // The template itself is untouched.
    expect(worker.spec.podSpec.containers[0]?.env).toHaveLength(2);
  });

  it('a PCSG without uid cannot own members', () => {
    expect(() =>
      desiredMemberPodClique(p, { pcsg: { metadata: { name: 'llm-1-decode' } }, config: decode(), replica: 1, groupReplica: 0 }, worker),
    ).toThrow('PodCliqueScalingGroup /llm-1-decode: metadata.uid is required to own children');
  });
});
