// The in-cluster install path, proven on a second, throwaway control plane (its own
// state directory, ports and etcd) so that the suite's main cluster, where copse
// runs as a local process, is left alone. This also shows that two local control
// planes coexist on one machine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, up, type LocalCluster } from '../../cluster/local.js';
import { isRunning, listRecords } from '../../cluster/processes.js';
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
      'ClusterRole',
      'ClusterRoleBinding',
      ...Array<string>(5).fill('CustomResourceDefinition'),
      'Deployment',
      'MutatingWebhookConfiguration',
      'Namespace',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
    ]);
  });

  it('applies cleanly with client-side apply, and again idempotently', async () => {
    const first = await kubectl(cluster.kubeconfig, ['apply', '-k', 'manifests/']);
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(16);
    expect(lines.every((l) => l.endsWith(' created'))).toBe(true);
    expect(lines).toContain('customresourcedefinition.apiextensions.k8s.io/podcliquesets.grove.io created');
    const second = await kubectl(cluster.kubeconfig, ['apply', '-k', 'manifests/']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim().split('\n').every((l) => l.endsWith(' unchanged'))).toBe(true);
  });

  it('establishes the five CRDs and runs the Deployment', async () => {
    const { apps } = clients(cluster.kubeconfig);
    const crds = await kubectl(cluster.kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    expect(crds.code, crds.stderr).toBe(0);
    for (const name of ['podcliquesets.grove.io', 'podcliques.grove.io', 'podcliquescalinggroups.grove.io', 'clustertopologybindings.grove.io', 'podgangs.scheduler.grove.io']) {
      expect(crds.stdout).toContain(`customresourcedefinition.apiextensions.k8s.io/${name} condition met`);
    }
    const ready = await eventually('copse Deployment ready', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'copse', namespace: 'copse-system' });
      return d.status?.readyReplicas === 2 ? 2 : undefined;
    }, 60_000);
    expect(ready).toBe(2);
  });

  it('points the webhook configurations at the copse-webhook Service with no caBundle until copse injects one', async () => {
    const r = await kubectl(cluster.kubeconfig, ['get', 'validatingwebhookconfiguration', 'podcliqueset-validating-webhook', '-o', 'jsonpath={.webhooks[0].clientConfig}']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ service: { name: 'copse-webhook', namespace: 'copse-system', path: '/webhooks/validate-podcliqueset', port: 443 } });
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
    expect(stopped.sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
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
