// ServiceAccount, Role, RoleBinding, token Secret, headless Services and HPAs: exact objects (§4.3).

import { describe, expect, it } from 'vitest';

import { clique, pcsOf } from '../../test/support/desired.js';
import type { PodCliqueSet } from '../generated/types.js';
import { desiredHpas } from './hpa.js';
import { desiredRole, desiredRoleBinding, desiredServiceAccount, desiredTokenSecret } from './rbac.js';
import { desiredHeadlessService } from './service.js';

const OWNER = {
  apiVersion: 'grove.io/v1alpha1',
  kind: 'PodCliqueSet',
  name: 'llm',
  uid: 'uid-pcs-llm',
  controller: true,
  blockOwnerDeletion: true,
};

const CPU_80 = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };

const pcs = pcsOf(
  'llm',
  {
    cliques: [
      clique('frontend', 2, { autoScalingConfig: { maxReplicas: 5, metrics: [CPU_80] } }),
      clique('router', 1),
      clique('leader', 1),
      clique('worker', 3),
    ],
    podCliqueScalingGroups: [
      { name: 'decode', cliqueNames: ['leader', 'worker'], replicas: 2, scaleConfig: { maxReplicas: 4 } },
      { name: 'fixed', cliqueNames: [] },
    ],
  },
  2,
);

function labels(name: string, component: string) {
  return {
    'app.kubernetes.io/managed-by': 'grove-operator',
    'app.kubernetes.io/part-of': 'llm',
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': component,
  };
}

describe('init-container identity (grove-compat §4.3)', () => {
  it('ServiceAccount <pcs>', () => {
    expect(desiredServiceAccount(pcs)).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'llm', namespace: 'ns', labels: labels('llm', 'pod-service-account'), ownerReferences: [OWNER] },
      automountServiceAccountToken: true,
    });
  });

  it("Role grove.io:pcs:<pcs>, name label with ':' replaced by '-'", () => {
    expect(desiredRole(pcs)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'grove.io:pcs:llm', namespace: 'ns', labels: labels('grove.io-pcs-llm', 'pod-role'), ownerReferences: [OWNER] },
      rules: [{ apiGroups: [''], resources: ['pods', 'pods/status'], verbs: ['get', 'list', 'watch'] }],
    });
  });

  it('RoleBinding grove.io:pcs:<pcs> binds the Role to the ServiceAccount', () => {
    expect(desiredRoleBinding(pcs)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'grove.io:pcs:llm',
        namespace: 'ns',
        labels: labels('grove.io-pcs-llm', 'pod-role-binding'),
        ownerReferences: [OWNER],
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'grove.io:pcs:llm' },
      subjects: [{ kind: 'ServiceAccount', name: 'llm', namespace: 'ns' }],
    });
  });

  it('Secret <pcs>-ic-sat of type service-account-token', () => {
    expect(desiredTokenSecret(pcs)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'llm-ic-sat',
        namespace: 'ns',
        labels: labels('llm-ic-sat', 'pod-sa-token-secret'),
        ownerReferences: [OWNER],
        annotations: { 'kubernetes.io/service-account.name': 'llm' },
      },
      type: 'kubernetes.io/service-account-token',
    });
  });

  it('a PodCliqueSet without uid cannot own children', () => {
    const unsaved: PodCliqueSet = { ...pcs, metadata: { ...pcs.metadata, uid: undefined } };
    expect(() => desiredServiceAccount(unsaved)).toThrow('PodCliqueSet ns/llm: metadata.uid is required to own children');
  });
});

describe('headless Service per replica', () => {
  it('selects the replica by index, no ports, publishNotReadyAddresses from the template', () => {
    const index = { 'grove.io/podcliqueset-replica-index': '1' };
    expect(desiredHeadlessService(pcs, 1)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'llm-1',
        namespace: 'ns',
        labels: { ...labels('llm-1', 'pcs-headless-service'), ...index },
        ownerReferences: [OWNER],
      },
      spec: {
        clusterIP: 'None',
        selector: { 'app.kubernetes.io/managed-by': 'grove-operator', 'app.kubernetes.io/part-of': 'llm', ...index },
        publishNotReadyAddresses: true,
      },
    });
    const quiet = structuredClone(pcs);
    quiet.spec.template.headlessServiceConfig = { publishNotReadyAddresses: false };
    expect(desiredHeadlessService(quiet, 0).spec?.publishNotReadyAddresses).toBe(false);
  });
});

describe('HPAs per replica', () => {
  it('one per autoscaled clique and per scaled group, targeting its scale subresource', () => {
    expect(desiredHpas(pcs, 1)).toEqual([
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'llm-1-frontend', namespace: 'ns', labels: labels('llm-1-frontend', 'pcs-hpa'), ownerReferences: [OWNER] },
        spec: {
          scaleTargetRef: { apiVersion: 'grove.io/v1alpha1', kind: 'PodClique', name: 'llm-1-frontend' },
          minReplicas: 2,
          maxReplicas: 5,
          metrics: [CPU_80],
        },
      },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'llm-1-decode', namespace: 'ns', labels: labels('llm-1-decode', 'pcs-hpa'), ownerReferences: [OWNER] },
        // No metrics: the HPA's default (80% CPU) applies.
        spec: { scaleTargetRef: { apiVersion: 'grove.io/v1alpha1', kind: 'PodCliqueScalingGroup', name: 'llm-1-decode' }, minReplicas: 2, maxReplicas: 4 },
      },
    ]);
  });
});
