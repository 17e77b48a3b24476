import { describe, expect, it } from 'vitest';
import { WEBHOOKS, caInjectionTargets, webhookConfigurations } from './registry.js';

describe('webhook declaration table', () => {
  it("uses Grove's names, paths and configuration names", () => {
    expect(WEBHOOKS.map((w) => [w.configName, w.name, w.kind, w.path])).toEqual([
      ['podcliqueset-defaulting-webhook', 'pcs.defaulting.webhooks.grove.io', 'mutating', '/webhooks/default-podcliqueset'],
      ['podcliqueset-validating-webhook', 'pcs.validating.webhooks.grove.io', 'validating', '/webhooks/validate-podcliqueset'],
      ['clustertopology-validating-webhook', 'clustertopology.validating.webhooks.grove.io', 'validating', '/webhooks/validate-clustertopology'],
      ['copse-dynamographdeployment-validating-webhook', 'dgd.validating.webhooks.copse.io', 'validating', '/webhooks/validate-dynamographdeployment'],
      ['copse-pod-startup-webhook', 'pod.startup.webhooks.copse.io', 'mutating', '/webhooks/inject-startup-wait'],
    ]);
    for (const w of WEBHOOKS) expect(w.name.split('.').length).toBeGreaterThanOrEqual(3);
    expect(new Set(WEBHOOKS.map((w) => w.path)).size).toBe(WEBHOOKS.length);
  });

  it('matches grove.io podcliquesets and clustertopologybindings, nvidia.com dynamographdeployments, and pods only on CREATE and only when copse marked them', () => {
    const resources = WEBHOOKS.flatMap((w) => w.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${res}.${g}`))));
    expect([...new Set(resources)].sort()).toEqual(['clustertopologybindings.grove.io', 'dynamographdeployments.nvidia.com', 'podcliquesets.grove.io', 'pods.']);
    const podWebhooks = WEBHOOKS.filter((w) => w.rules.some((r) => r.resources.includes('pods')));
    expect(podWebhooks.map((w) => [w.name, w.rules.flatMap((r) => r.operations), w.objectSelector, w.failurePolicy, w.namespaced])).toEqual([
      ['pod.startup.webhooks.copse.io', ['CREATE'], { matchLabels: { 'copse.io/startup-wait': 'true' } }, 'Fail', true],
    ]);
    for (const w of WEBHOOKS.filter((x) => !podWebhooks.includes(x))) expect(w.objectSelector).toBeUndefined();
  });
});

describe('webhookConfigurations', () => {
  it('builds service-backed configurations with caBundle, blast-radius limits and v1 settings', () => {
    const cfgs = webhookConfigurations({ service: { namespace: 'copse-system', name: 'copse-webhook' } }, 'Q0E=');
    expect(cfgs.map((c) => [c.kind, c.metadata.name])).toEqual([
      ['MutatingWebhookConfiguration', 'podcliqueset-defaulting-webhook'],
      ['MutatingWebhookConfiguration', 'copse-pod-startup-webhook'],
      ['ValidatingWebhookConfiguration', 'podcliqueset-validating-webhook'],
      ['ValidatingWebhookConfiguration', 'clustertopology-validating-webhook'],
      ['ValidatingWebhookConfiguration', 'copse-dynamographdeployment-validating-webhook'],
    ]);
    expect(cfgs[1]?.webhooks[0]).toMatchObject({
      name: 'pod.startup.webhooks.copse.io',
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
      failurePolicy: 'Fail',
      timeoutSeconds: 5,
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'copse-system'] }] },
      objectSelector: { matchLabels: { 'copse.io/startup-wait': 'true' } },
      reinvocationPolicy: 'Never',
    });
    expect(cfgs[0]).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'podcliqueset-defaulting-webhook', labels: { 'app.kubernetes.io/managed-by': 'copse', 'app.kubernetes.io/component': 'webhook' } },
      webhooks: [
        {
          name: 'pcs.defaulting.webhooks.grove.io',
          clientConfig: { service: { namespace: 'copse-system', name: 'copse-webhook', path: '/webhooks/default-podcliqueset', port: 443 }, caBundle: 'Q0E=' },
          rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['grove.io'], apiVersions: ['v1alpha1'], resources: ['podcliquesets'], scope: 'Namespaced' }],
          failurePolicy: 'Fail',
          matchPolicy: 'Equivalent',
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'copse-system'] }] },
          objectSelector: {},
          sideEffects: 'None',
          timeoutSeconds: 10,
          admissionReviewVersions: ['v1'],
          reinvocationPolicy: 'Never',
        },
      ],
    });
    const ctb = cfgs[3]?.webhooks[0];
    expect(ctb?.rules[0]?.scope).toBe('Cluster');
    expect(ctb?.namespaceSelector).toEqual({});
    expect(ctb && 'reinvocationPolicy' in ctb).toBe(false);
  });

  it('builds url-backed configurations for copse up, without caBundle when none is given', () => {
    const cfgs = webhookConfigurations({ url: 'https://127.0.0.1:9443/' }, undefined, { copseNamespace: 'my-copse' });
    expect(cfgs.map((c) => c.webhooks[0]?.clientConfig)).toEqual([
      { url: 'https://127.0.0.1:9443/webhooks/default-podcliqueset' },
      { url: 'https://127.0.0.1:9443/webhooks/inject-startup-wait' },
      { url: 'https://127.0.0.1:9443/webhooks/validate-podcliqueset' },
      { url: 'https://127.0.0.1:9443/webhooks/validate-clustertopology' },
      { url: 'https://127.0.0.1:9443/webhooks/validate-dynamographdeployment' },
    ]);
    expect(cfgs[2]?.webhooks[0]?.namespaceSelector.matchExpressions?.[0]?.values).toEqual(['kube-system', 'my-copse']);
  });

  it('lists the configuration names certs/sync injects into', () => {
    expect(caInjectionTargets()).toEqual({
      mutatingWebhookConfigurations: ['podcliqueset-defaulting-webhook', 'copse-pod-startup-webhook'],
      validatingWebhookConfigurations: ['podcliqueset-validating-webhook', 'clustertopology-validating-webhook', 'copse-dynamographdeployment-validating-webhook'],
    });
  });
});
