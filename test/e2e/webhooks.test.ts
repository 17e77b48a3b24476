// Admission webhooks and certificate management of the real copse server process
// that `copse up` runs (registered with url: https://127.0.0.1:<port>/...), against
// the real local control plane.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleFromSecretData, caSecretData, DEFAULT_CA_SECRET_NAME, ensureCertificates, renewBundle, servingSecretData } from '../../certs/store.js';
import { startCertSync } from '../../certs/sync.js';
import { rotationPolicy, servingNames } from '../../certs/rotate.js';
import { KubeConfig, loadKubeConfig } from '../../kube/client.js';
import { RESOURCES } from '../../kube/resources.js';
import { COPSE_NAMESPACE, caInjectionTargets } from '../../webhooks/registry.js';
import { DEFAULT_SECRET_NAME } from '../../webhooks/run.js';
import { topologyLookup } from '../../webhooks/topology-lookup.js';
import { DynamicClient, FIELD_MANAGERS } from '../../kube/dynamic.js';
import { KubeHttp } from '../../kube/http.js';
import { pino } from 'pino';
import { upStack, SERVER_PROCESS } from '../../cli/stack.js';
import { stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { createNamespace, testClient } from '../support/dynamic.js';
import { eventually, kubectl } from '../support/kube.js';

const kubeconfig = inject('kubeconfig');
const serverUrl = inject('serverUrl');
const kube = testClient(kubeconfig);

let userNs: { name: string; cleanup: () => Promise<void> };
const secretName = DEFAULT_SECRET_NAME;

const pcsYaml = (name: string, replicas: number, minAvailable?: number): string =>
  JSON.stringify({
    apiVersion: 'grove.io/v1alpha1',
    kind: 'PodCliqueSet',
    metadata: { name, namespace: userNs.name },
    spec: {
      replicas: 1,
      template: {
        cliques: [
          {
            name: 'pca',
            spec: { roleName: 'pca', replicas, ...(minAvailable !== undefined ? { minAvailable } : {}), podSpec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] } },
          },
        ],
      },
    },
  });

async function caBundles(): Promise<string[]> {
  const m = await kube.get(RESOURCES.mutatingWebhookConfigurations, 'podcliqueset-defaulting-webhook');
  const v = await kube.get(RESOURCES.validatingWebhookConfigurations, 'podcliqueset-validating-webhook');
  return [...(m.webhooks ?? []), ...(v.webhooks ?? [])].map((w) => w.clientConfig.caBundle ?? '');
}

async function servingCaBundle(): Promise<string> {
  const sec = await kube.get(RESOURCES.secrets, secretName, COPSE_NAMESPACE);
  return Buffer.from(bundleFromSecretData(sec.data).caCertPem ?? '').toString('base64');
}

async function caSecret(): Promise<ReturnType<typeof bundleFromSecretData>> {
  return bundleFromSecretData((await kube.get(RESOURCES.secrets, DEFAULT_CA_SECRET_NAME, COPSE_NAMESPACE)).data);
}

/** The Secrets the tests below create in copse-system, removed afterwards. */
const SCRATCH_SECRETS = ['race-cert', 'race-ca', 'legacy-cert', 'legacy-ca', 'unrelated'];

/** A kubeconfig for the local cluster that authenticates as copse's ServiceAccount (a TokenRequest token). */
async function serviceAccountKubeConfig(): Promise<KubeConfig> {
  const token = await kubectl(kubeconfig, ['create', 'token', 'copse', '-n', COPSE_NAMESPACE, '--duration=10m']);
  expect(token.code, token.stderr).toBe(0);
  const cluster = loadKubeConfig({ kubeconfig }).getCurrentCluster();
  if (!cluster) throw new Error('no cluster in the admin kubeconfig');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'copse', token: token.stdout.trim() }],
    contexts: [{ name: 'copse', cluster: cluster.name, user: 'copse' }],
    currentContext: 'copse',
  });
  return kc;
}

/** The certificate the server presents right now, read off a TLS handshake. */
async function servedCertificate(): Promise<X509Certificate> {
  const { connect } = await import('node:tls');
  const u = new URL(serverUrl);
  return new Promise((resolveCert, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      const pem = socket.getPeerX509Certificate();
      socket.end();
      if (pem) resolveCert(pem);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  userNs = await createNamespace(kube, 'wh-user');
}, 120_000);

afterAll(async () => {
  for (const name of SCRATCH_SECRETS) await kube.delete(RESOURCES.secrets, name, COPSE_NAMESPACE);
  await userNs?.cleanup();
});

describe('webhooks on a real apiserver', () => {
  it('keeps the CA in copse-ca and the serving certificate, without the CA key, in a kubernetes.io/tls Secret, and injects the CA', async () => {
    const s = await kube.get(RESOURCES.secrets, secretName, COPSE_NAMESPACE);
    expect(s.type).toBe('kubernetes.io/tls');
    expect(Object.keys(s.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    const ca = await kube.get(RESOURCES.secrets, DEFAULT_CA_SECRET_NAME, COPSE_NAMESPACE);
    expect(Object.keys(ca.data ?? {}).sort()).toEqual(['ca.crt', 'ca.key']);
    const b = bundleFromSecretData(s.data);
    expect(b.caCertPem).toBe(bundleFromSecretData(ca.data).caCertPem);
    const leaf = new X509Certificate(b.certPem as string);
    expect(leaf.subjectAltName).toContain(`DNS:copse-webhook.${COPSE_NAMESPACE}.svc`);
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect((await servedCertificate()).fingerprint256).toBe(leaf.fingerprint256);
    const bundle = await servingCaBundle();
    expect(await caBundles()).toEqual([bundle, bundle]);
  });

  it('denies an invalid PodCliqueSet with the exact field-error text', async () => {
    const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: pcsYaml('bad', 3, 5) });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": admission webhook "pcs.validating.webhooks.grove.io" denied the request: spec.template.cliques[0].spec.minAvailable: Invalid value: 5: minAvailable must not be greater than replicas',
    );
  });

  it('defaults a PodCliqueSet through the mutating webhook', async () => {
    const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: pcsYaml('good', 2) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pcs = await kube.get(RESOURCES.podCliqueSets, 'good', userNs.name);
    expect(pcs.spec.template.terminationDelay).toBe('4h0m0s');
    expect(pcs.spec.template.cliques[0]?.spec.minAvailable).toBe(2);
  });

  it('re-injects the caBundle after drift', async () => {
    await kube.patch(RESOURCES.validatingWebhookConfigurations, 'podcliqueset-validating-webhook', undefined, [
      { op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: Buffer.from('junk').toString('base64') },
    ]);
    const ca = await servingCaBundle();
    await eventually('caBundle to be restored', async () => (await caBundles()).every((c) => c === ca), 30_000);
  });

  it('recreates a deleted serving Secret from the same CA and swaps the certificate live', async () => {
    const ca = await servingCaBundle();
    const oldServed = (await servedCertificate()).fingerprint256;
    await kube.delete(RESOURCES.secrets, secretName, COPSE_NAMESPACE);
    await eventually('the server to present a new certificate', async () => (await servedCertificate()).fingerprint256 !== oldServed, 30_000);
    expect(await servingCaBundle()).toBe(ca);
    expect(await caBundles()).toEqual([ca, ca]);
    const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: pcsYaml('after-leaf', 1) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a deleted CA Secret brings a new CA, a new certificate and re-injection, the old CA trusted meanwhile', async () => {
    const oldCa = (await caSecret()).caCertPem as string;
    const oldServed = (await servedCertificate()).fingerprint256;
    await kube.delete(RESOURCES.secrets, DEFAULT_CA_SECRET_NAME, COPSE_NAMESPACE);
    const chain = await eventually('a new CA in a recreated copse-ca', async () => {
      try {
        const c = (await caSecret()).caCertPem;
        return c && !c.startsWith(oldCa) ? c : undefined;
      } catch {
        return undefined;
      }
    }, 30_000);
    expect(chain.endsWith(oldCa)).toBe(true);
    await eventually('the server to present a certificate from the new CA', async () => (await servedCertificate()).fingerprint256 !== oldServed, 30_000);
    const injected = Buffer.from(chain).toString('base64');
    await eventually('configs to carry the new CA bundle', async () => (await caBundles()).every((c) => c === injected), 30_000);
    const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: pcsYaml('after-rotation', 1) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('replicas racing on fresh Secrets converge on one CA and one certificate', async () => {
    const refs = { ca: { namespace: COPSE_NAMESPACE, name: 'race-ca' }, serving: { namespace: COPSE_NAMESPACE, name: 'race-cert' } };
    const policy = rotationPolicy(servingNames({ name: 'copse-webhook', namespace: COPSE_NAMESPACE }));
    const results = await Promise.all([1, 2, 3].map(() => ensureCertificates(kube, refs, policy)));
    const ca = bundleFromSecretData((await kube.get(RESOURCES.secrets, refs.ca.name, refs.ca.namespace)).data);
    const serving = bundleFromSecretData((await kube.get(RESOURCES.secrets, refs.serving.name, refs.serving.namespace)).data);
    expect(results.map((r) => r.bundle.caCertPem)).toEqual([ca.caCertPem, ca.caCertPem, ca.caCertPem]);
    expect(results.map((r) => r.bundle.certPem)).toEqual([serving.certPem, serving.certPem, serving.certPem]);
    expect(serving.caKeyPem).toBeUndefined();
  });

  it('migrates a Secret of the older layout (CA key beside the serving key) without losing the CA', async () => {
    const refs = { ca: { namespace: COPSE_NAMESPACE, name: 'legacy-ca' }, serving: { namespace: COPSE_NAMESPACE, name: 'legacy-cert' } };
    const policy = rotationPolicy(servingNames({ name: 'copse-webhook', namespace: COPSE_NAMESPACE }));
    const legacy = renewBundle({}, 'renew-ca', new Date(), policy);
    await kube.create(RESOURCES.secrets, {
      metadata: { name: 'legacy-cert', namespace: COPSE_NAMESPACE },
      type: 'kubernetes.io/tls',
      data: { ...servingSecretData(legacy), ...caSecretData(legacy) },
    });
    await Promise.all([1, 2].map(() => ensureCertificates(kube, refs, policy)));
    expect(bundleFromSecretData((await kube.get(RESOURCES.secrets, refs.ca.name, refs.ca.namespace)).data)).toEqual({ caCertPem: legacy.caCertPem, caKeyPem: legacy.caKeyPem });
    const serving = await kube.get(RESOURCES.secrets, refs.serving.name, refs.serving.namespace);
    expect(Object.keys(serving.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(bundleFromSecretData(serving.data).certPem).toBe(legacy.certPem);
  });

  it('the copse ServiceAccount reads its own Secrets, and (for the controllers) every other: its RBAC suffices for certificate sync and lookups', async () => {
    await kube.create(RESOURCES.secrets, { metadata: { name: 'unrelated', namespace: COPSE_NAMESPACE }, stringData: { password: 'hunter2' } });
    const as = ['--as', `system:serviceaccount:${COPSE_NAMESPACE}:copse`, '-n', COPSE_NAMESPACE];
    const canI = async (...args: string[]): Promise<string> => (await kubectl(kubeconfig, ['auth', 'can-i', ...args, ...as])).stdout.trim();
    expect(await canI('get', `secret/${DEFAULT_SECRET_NAME}`)).toBe('yes');
    expect(await canI('get', `secret/${DEFAULT_CA_SECRET_NAME}`)).toBe('yes');
    // The controllers' ClusterRole (controllers/permissions.ts) reads Secrets everywhere: the PodCliqueSet
    // controller caches the init program's token Secrets, and RBAC cannot narrow a grant by label. Grove's
    // operator holds the same. The certificate Role alone would answer no to both.
    expect(await canI('get', 'secret/unrelated')).toBe('yes');
    expect(await canI('list', 'secrets')).toBe('yes');

    const sa = new DynamicClient(new KubeHttp(await serviceAccountKubeConfig()), FIELD_MANAGERS.test);
    expect((await sa.get(RESOURCES.secrets, 'unrelated', COPSE_NAMESPACE)).metadata?.name).toBe('unrelated');
    // What certificate sync's informer asks for: a list (and watch) narrowed to one name, which RBAC authorises by resourceNames.
    const one = await sa.list(RESOURCES.secrets, { namespace: COPSE_NAMESPACE, fieldSelector: `metadata.name=${DEFAULT_CA_SECRET_NAME}` });
    expect(one.items.map((s) => s.metadata?.name)).toEqual([DEFAULT_CA_SECRET_NAME]);
    // The real certificate sync (read both Secrets, watch them, read and patch the configurations).
    const sync = await startCertSync({
      mode: 'auto',
      client: sa,
      secret: { namespace: COPSE_NAMESPACE, name: DEFAULT_SECRET_NAME },
      service: { name: 'copse-webhook', namespace: COPSE_NAMESPACE },
      ...caInjectionTargets(),
      onCertificate: () => undefined,
      log: pino({ level: 'silent' }),
    });
    try {
      expect(sync.ready()).toBe(true);
      expect(await sync.syncNow()).toMatchObject({ action: 'keep', errors: [] });
    } finally {
      sync.stop();
    }
    // The topology lookup: a missing binding is "not found" (404), not forbidden.
    expect(await topologyLookup(sa)('no-such-topology', new AbortController().signal)).toBeUndefined();
    sa.http.close();
  });

  it('comes back after kill -9 with the same CA, and admission keeps working', async () => {
    const before = readRecord(stateDir(), SERVER_PROCESS);
    if (!before) throw new Error('no copse-server record');
    const ca = await servingCaBundle();
    process.kill(before.pid, 'SIGKILL');
    await eventually('the server to be gone', async () => !isRunning(before));
    const denied = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: pcsYaml('while-down', 1) });
    expect(denied.stderr).toContain('failed calling webhook "pcs.defaulting.webhooks.grove.io"');

    await upStack({ log: () => {} });
    const after = readRecord(stateDir(), SERVER_PROCESS);
    expect(after?.pid).not.toBe(before.pid);
    expect(await servingCaBundle()).toBe(ca);
    expect(await caBundles()).toEqual([ca, ca]);
    const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: pcsYaml('after-restart', 2, 3) });
    expect(r.stderr).toContain('spec.template.cliques[0].spec.minAvailable: Invalid value: 3: minAvailable must not be greater than replicas');
  });
});
