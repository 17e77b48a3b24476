// The in-cluster install path (`kubectl apply -k manifests/`), on a second, throwaway control plane
// (its own state directory, ports and etcd) so that the suite's main cluster, where copse runs as a
// local process, is left alone. This also shows that two local control planes coexist on one machine.
//
// What this proves: the objects apply cleanly and idempotently, the CRDs are established, the
// Deployment and Service are stored as written, copse's ServiceAccount has exactly the access the
// code needs (kubectl auth can-i; test/e2e/rbac.test.ts runs copse's server with it), the
// live.copse.io APIService is registered at the copse-api Service without a caBundle, and the
// webhook configurations point at the copse-webhook Service with the right paths. What it does not
// prove: copse running in the cluster from its image. There is no copse image here, and kwok reports
// every pod Ready whatever it runs, so a Ready Deployment would say nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, up, type LocalCluster } from '../../cluster/local.js';
import { isRunning, listRecords } from '../../cluster/processes.js';
import { COPSE_IMAGE } from '../../api/image.js';
import { DEFAULT_CA_SECRET_NAME } from '../../certs/store.js';
import { WEBHOOKS } from '../../webhooks/registry.js';
import { DEFAULT_SECRET_NAME, DEFAULT_SERVICE_NAME } from '../../webhooks/run.js';
import { type Obj, get, getJson } from '../support/admission.js';
import { clients, eventually, kubectl } from '../support/kube.js';

let cluster: LocalCluster;
const stateDir = mkdtempSync(join(tmpdir(), 'copse-install-'));

beforeAll(async () => {
  cluster = await up({ stateDir, shape: { nodes: 2 }, log: () => {} });
}, 180_000);

afterAll(async () => {
  await down({ stateDir, purge: true, log: () => {} });
});

describe('kubectl apply -k manifests/ on a fresh cluster', () => {
  it('renders the expected objects', async () => {
    const r = await kubectl(cluster.kubeconfig, ['kustomize', 'manifests/']);
    expect(r.code, r.stderr).toBe(0);
    const kinds = [...r.stdout.matchAll(/^kind: (\S+)$/gm)].map((m) => m[1]).sort();
    expect(kinds).toEqual([
      'APIService',
      ...Array<string>(6).fill('ClusterRole'),
      ...Array<string>(6).fill('ClusterRoleBinding'),
      ...Array<string>(5).fill('CustomResourceDefinition'),
      'Deployment',
      // PodCliqueSet defaulting, and the startup-ordering pod webhook.
      'MutatingWebhookConfiguration',
      'MutatingWebhookConfiguration',
      'Namespace',
      ...Array<string>(3).fill('Role'),
      ...Array<string>(4).fill('RoleBinding'),
      'Service',
      'Service',
      'ServiceAccount',
      // PodCliqueSet, ClusterTopologyBinding and DynamoGraphDeployment validation.
      ...Array<string>(3).fill('ValidatingWebhookConfiguration'),
    ]);
  });

  it('applies cleanly with client-side apply, and again idempotently', async () => {
    const first = await kubectl(cluster.kubeconfig, ['apply', '-k', 'manifests/']);
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(35);
    expect(lines.every((l) => l.endsWith(' created'))).toBe(true);
    expect(lines).toContain('customresourcedefinition.apiextensions.k8s.io/podcliquesets.grove.io created');
    expect(lines).toContain('apiservice.apiregistration.k8s.io/v1alpha1.live.copse.io created');
    const second = await kubectl(cluster.kubeconfig, ['apply', '-k', 'manifests/']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim().split('\n').every((l) => l.endsWith(' unchanged'))).toBe(true);
  });

  it('establishes the five CRDs', async () => {
    const crds = await kubectl(cluster.kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    expect(crds.code, crds.stderr).toBe(0);
    for (const name of ['podcliquesets.grove.io', 'podcliques.grove.io', 'podcliquescalinggroups.grove.io', 'clustertopologybindings.grove.io', 'podgangs.scheduler.grove.io']) {
      expect(crds.stdout).toContain(`customresourcedefinition.apiextensions.k8s.io/${name} condition met`);
    }
  });

  it('stores the Deployment and Service as written (running them needs the copse image, which is not proven here)', async () => {
    const d = await getJson(cluster.kubeconfig, 'deployment', 'copse', 'copse-system');
    expect(get(d, 'spec.template.spec.serviceAccountName')).toBe('copse');
    const container = (get(d, 'spec.template.spec.containers') as Obj[])[0] as Obj;
    expect(container).toMatchObject({ image: 'copse:0.1.0', args: ['serve', '--in-cluster', '--port=9443'] });
    expect(container['env']).toEqual([
      // A smaller young generation (README "Memory").
      { name: 'NODE_OPTIONS', value: '--max-semi-space-size=8' },
      // The image the startup webhook injects as the init container: the same image.
      { name: 'COPSE_IMAGE', value: COPSE_IMAGE },
      { name: 'COPSE_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
    ]);
    const svc = await getJson(cluster.kubeconfig, 'service', DEFAULT_SERVICE_NAME, 'copse-system');
    expect(get(svc, 'spec.selector')).toEqual(get(d, 'spec.selector.matchLabels'));
    expect(get(svc, 'spec.ports')).toEqual([{ name: 'webhooks', port: 443, protocol: 'TCP', targetPort: 'webhooks' }]);
  });

  it('gives the copse ServiceAccount what the webhooks, certificates, live views and controllers call, and nothing else', async () => {
    const canI = async (...args: string[]): Promise<string> => {
      const r = await kubectl(cluster.kubeconfig, ['auth', 'can-i', ...args, '--as=system:serviceaccount:copse-system:copse']);
      return r.stdout.trim();
    };
    // The optional Dynamo CRD, so kubectl can resolve the DGD resource the controller's grants name.
    const dynamo = await kubectl(cluster.kubeconfig, ['apply', '-k', 'manifests/dynamo/']);
    expect(dynamo.stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/dynamographdeployments.nvidia.com created');
    // kubectl wait lists from kube-apiserver's watch cache, which can lag the create under load (a CI run
    // saw exit 1 at once): retried, and a failure says what kubectl said.
    let waited = { code: -1, stdout: '', stderr: '' };
    for (let i = 0; i < 5 && waited.code !== 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1000));
      waited = await kubectl(cluster.kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/dynamographdeployments.nvidia.com']);
    }
    expect(waited.code, waited.stderr).toBe(0);
    const ns = ['-n', 'copse-system'];
    const cases: [string[], 'yes' | 'no'][] = [
      [['get', `secret/${DEFAULT_SECRET_NAME}`, ...ns], 'yes'],
      [['get', `secret/${DEFAULT_CA_SECRET_NAME}`, ...ns], 'yes'],
      [['watch', `secret/${DEFAULT_CA_SECRET_NAME}`, ...ns], 'yes'],
      [['update', `secret/${DEFAULT_CA_SECRET_NAME}`, ...ns], 'yes'],
      [['create', 'secrets', ...ns], 'yes'],
      // Only copse's own two Secrets may be replaced (certificate rotation).
      [['update', 'secret/some-other-secret', ...ns], 'no'],
      [['update', `secret/${DEFAULT_SECRET_NAME}`, '-n', 'default'], 'no'],
      // The controllers' token Secrets <pcs>-ic-sat, in any namespace: RBAC cannot narrow these by label.
      [['list', 'secrets', '-A'], 'yes'],
      [['delete', 'secret/x', '-n', 'default'], 'yes'],
      [['get', 'clustertopologybindings.grove.io/any'], 'yes'],
      [['list', 'clustertopologybindings.grove.io'], 'yes'],
      [['update', 'clustertopologybindings.grove.io/any'], 'no'],
      // The aggregated API's views and the controllers read these through informers.
      [['list', 'podcliquesets.grove.io', '-A'], 'yes'],
      [['watch', 'podgangs.scheduler.grove.io', '-A'], 'yes'],
      [['watch', 'pods', '-A'], 'yes'],
      [['list', 'nodes'], 'yes'],
      [['patch', 'nodes/x'], 'no'],
      [['update', 'podcliquesets.grove.io', '-A'], 'no'],
      [['get', 'secret/copse-api-server-cert', ...ns], 'yes'],
      [['update', 'secret/copse-api-server-cert', ...ns], 'yes'],
      [['patch', 'apiservices.apiregistration.k8s.io/v1alpha1.live.copse.io'], 'yes'],
      [['patch', 'apiservices.apiregistration.k8s.io/v1.apps'], 'no'],
      [['create', 'subjectaccessreviews.authorization.k8s.io'], 'yes'],
      [['create', 'tokenreviews.authentication.k8s.io'], 'yes'],
      [['get', 'configmap/extension-apiserver-authentication', '-n', 'kube-system'], 'yes'],
      [['get', 'configmap/other', '-n', 'kube-system'], 'no'],
      [['patch', 'validatingwebhookconfigurations/podcliqueset-validating-webhook'], 'yes'],
      [['patch', 'mutatingwebhookconfigurations/podcliqueset-defaulting-webhook'], 'yes'],
      [['patch', 'validatingwebhookconfigurations/someone-elses-webhook'], 'no'],
      // The controllers (controller-rbac.yaml, generated from controllers/permissions.ts).
      [['create', 'pods', '-n', 'default'], 'yes'],
      [['deletecollection', 'pods', '-n', 'default'], 'yes'],
      [['update', 'pods/x', '-n', 'default'], 'no'],
      [['create', 'pods/x', '--subresource=eviction', '-n', 'default'], 'no'],
      [['patch', 'podcliquesets.grove.io/x', '--subresource=status', '-n', 'default'], 'yes'],
      [['update', 'podcliquesets.grove.io/x', '--subresource=finalizers', '-n', 'default'], 'yes'],
      [['update', 'podcliques.grove.io/x', '--subresource=finalizers', '-n', 'default'], 'yes'],
      [['delete', 'podgangs.scheduler.grove.io/x', '-n', 'default'], 'yes'],
      [['create', 'horizontalpodautoscalers.autoscaling', '-n', 'default'], 'yes'],
      [['create', 'roles.rbac.authorization.k8s.io', '-n', 'default'], 'yes'],
      [['escalate', 'roles.rbac.authorization.k8s.io', '-n', 'default'], 'no'],
      [['bind', 'roles.rbac.authorization.k8s.io', '-n', 'default'], 'no'],
      [['create', 'clusterroles.rbac.authorization.k8s.io'], 'no'],
      [['create', 'leases.coordination.k8s.io', ...ns], 'yes'],
      [['update', 'leases.coordination.k8s.io/copse-controller-leader', ...ns], 'yes'],
      [['update', 'leases.coordination.k8s.io/other', ...ns], 'no'],
      [['create', 'leases.coordination.k8s.io', '-n', 'default'], 'no'],
      // copse-native-scheduling is not asked here: this cluster does not serve scheduling.k8s.io/v1beta1, so
      // kubectl cannot resolve its resources; test/e2e/rbac.test.ts uses it on a native cluster.
      // The DynamoGraphDeployment controller (dynamo-rbac.yaml).
      [['watch', 'dynamographdeployments.nvidia.com', '-A'], 'yes'],
      [['patch', 'dynamographdeployments.nvidia.com/x', '--subresource=status', '-n', 'default'], 'yes'],
      [['update', 'dynamographdeployments.nvidia.com/x', '--subresource=finalizers', '-n', 'default'], 'yes'],
      [['update', 'dynamographdeployments.nvidia.com/x', '-n', 'default'], 'no'],
      [['create', 'podcliquesets.grove.io', '-n', 'default'], 'yes'],
      [['patch', 'podcliques.grove.io/x', '--subresource=scale', '-n', 'default'], 'yes'],
      [['update', 'podcliques.grove.io/x', '-n', 'default'], 'no'],
      [['update', 'services/x', '-n', 'default'], 'no'],
      [['create', 'events', '-n', 'default'], 'yes'],
    ];
    const got = await Promise.all(cases.map(async ([args]) => `${args.join(' ')}: ${await canI(...args)}`));
    expect(got).toEqual(cases.map(([args, want]) => `${args.join(' ')}: ${want}`));
  });

  it('registers v1alpha1.live.copse.io at the copse-api Service, with no caBundle until copse injects one', async () => {
    const svc = await getJson(cluster.kubeconfig, 'apiservice', 'v1alpha1.live.copse.io');
    expect(get(svc, 'spec')).toEqual({ group: 'live.copse.io', version: 'v1alpha1', groupPriorityMinimum: 100, versionPriority: 100, service: { namespace: 'copse-system', name: 'copse-api', port: 443 } });
    const api = await getJson(cluster.kubeconfig, 'service', 'copse-api', 'copse-system');
    expect(get(api, 'spec.ports')).toEqual([{ name: 'aggregated-api', port: 443, protocol: 'TCP', targetPort: 'aggregated-api' }]);
    // People get read through view; the ClusterRole aggregation controller folds it in.
    await eventually('view to include live.copse.io', async () => {
      const view = await getJson(cluster.kubeconfig, 'clusterrole', 'view');
      return (get(view, 'rules') as Obj[]).some((r) => (r['apiGroups'] as string[] | undefined)?.includes('live.copse.io'));
    });
  });

  it('points every webhook configuration at the copse-webhook Service in copse-system, with its path and no caBundle until copse injects one', async () => {
    for (const w of WEBHOOKS) {
      const kind = w.kind === 'mutating' ? 'mutatingwebhookconfiguration' : 'validatingwebhookconfiguration';
      const cfg = await getJson(cluster.kubeconfig, kind, w.configName);
      const entry = (cfg['webhooks'] as Obj[]).find((e) => e['name'] === w.name);
      expect(entry?.['clientConfig'], w.name).toEqual({ service: { name: DEFAULT_SERVICE_NAME, namespace: 'copse-system', path: w.path, port: 443 } });
    }
  });
});

describe('the local control plane survives crashes and restarts', () => {
  const core = () => clients(cluster.kubeconfig).core;

  it('after kill -9 of etcd and kube-apiserver, up restarts just those and the data is intact', async () => {
    await core().createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'keep-me' }, data: { v: '1' } } });
    const before = new Map(listRecords(stateDir).map((r) => [r.name, r.pid]));
    for (const name of ['etcd', 'kube-apiserver']) process.kill(before.get(name) ?? -1, 'SIGKILL');
    await eventually('the killed processes to be gone', async () => listRecords(stateDir).filter((r) => ['etcd', 'kube-apiserver'].includes(r.name)).every((r) => !isRunning(r)));

    const again = await up({ stateDir, log: () => {} });
    const after = new Map(listRecords(stateDir).map((r) => [r.name, r.pid]));
    expect(after.get('etcd')).not.toBe(before.get('etcd'));
    expect(after.get('kube-apiserver')).not.toBe(before.get('kube-apiserver'));
    for (const name of ['kube-controller-manager', 'kube-scheduler', 'kwok']) expect(after.get(name), name).toBe(before.get(name));
    expect(again.state.ports).toEqual(cluster.state.ports);
    const cm = await core().readNamespacedConfigMap({ namespace: 'default', name: 'keep-me' });
    expect(cm.data).toEqual({ v: '1' });
  });

  it('down then up keeps etcd data, certificates and ports', async () => {
    const running = listRecords(stateDir);
    const stopped = await down({ stateDir, log: () => {} });
    expect(stopped.sort()).toEqual(['etcd', 'initc-runner', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
    expect(listRecords(stateDir)).toEqual([]);
    // No process behind: each recorded pid is gone (or reused by something else).
    expect(running.filter(isRunning).map((r) => `${r.name} (pid ${r.pid})`)).toEqual([]);
    const again = await up({ stateDir, log: () => {} });
    expect(again.state.ports).toEqual(cluster.state.ports);
    const cm = await core().readNamespacedConfigMap({ namespace: 'default', name: 'keep-me' });
    expect(cm.data).toEqual({ v: '1' });
    const crds = await kubectl(cluster.kubeconfig, ['get', 'crd', 'podcliquesets.grove.io', '-o', 'name']);
    expect(crds.stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/podcliquesets.grove.io');
  });
});
