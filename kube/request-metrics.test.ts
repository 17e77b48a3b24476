import { describe, expect, it } from 'vitest';
import { Registry } from './metrics.js';
import { kubeRequestObserver, resourceOfPath } from './request-metrics.js';

describe('resourceOfPath', () => {
  it.each([
    ['/api/v1/namespaces/a/pods/p', 'pods'],
    ['/api/v1/pods', 'pods'],
    ['/api/v1/namespaces/a', 'namespaces'],
    ['/apis/grove.io/v1alpha1/namespaces/a/podcliques/x/status', 'podcliques/status'],
    ['/apis/grove.io/v1alpha1/clustertopologybindings/t', 'clustertopologybindings'],
    ['/apis/coordination.k8s.io/v1/namespaces/s/leases/l?x=1', 'leases'],
  ])('%s → %s', (path, want) => expect(resourceOfPath(path)).toBe(want));
});

describe('kubeRequestObserver', () => {
  it('observes latency by verb, resource and code', async () => {
    const r = new Registry();
    const observe = kubeRequestObserver(r);
    observe('GET', '/api/v1/namespaces/a/pods/p', 200, 0.01);
    observe('GET', '/api/v1/namespaces/a/pods/q', 404, 0.01);
    expect(await r.value('copse_kube_request_duration_seconds', { verb: 'GET', resource: 'pods' })).toBe(2);
    expect(await r.value('copse_kube_request_duration_seconds', { code: '404' })).toBe(1);
  });
});
