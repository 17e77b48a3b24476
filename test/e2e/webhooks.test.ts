// Admission webhooks and certificate management of the real copse server process
// that `copse up` runs (registered with url: https://127.0.0.1:<port>/...), against
// the real local control plane.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleFromSecretData, ensureServingSecret } from '../../certs/store.js';
import { rotationPolicy, servingNames } from '../../certs/rotate.js';
import { patchOptions, PatchStrategy } from '../../kube/apply.js';
import { loadKubeConfig, makeClients } from '../../kube/client.js';
import { ignoreNotFound } from '../../kube/errors.js';
import { COPSE_NAMESPACE } from '../../webhooks/registry.js';
import { DEFAULT_SECRET_NAME } from '../../webhooks/run.js';
import { upStack, SERVER_PROCESS } from '../../cli/stack.js';
import { stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { eventually, kubectl, testNamespace } from '../support/kube.js';

const kubeconfig = inject('kubeconfig');
const serverUrl = inject('serverUrl');
const kube = makeClients(loadKubeConfig({ kubeconfig }));

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
  const m = await kube.admission.readMutatingWebhookConfiguration({ name: 'podcliqueset-defaulting-webhook' });
  const v = await kube.admission.readValidatingWebhookConfiguration({ name: 'podcliqueset-validating-webhook' });
  return [...(m.webhooks ?? []), ...(v.webhooks ?? [])].map((w) => w.clientConfig.caBundle ?? '');
}

async function servingCaBundle(): Promise<string> {
  const sec = await kube.core.readNamespacedSecret({ namespace: COPSE_NAMESPACE, name: secretName });
  return Buffer.from(bundleFromSecretData(sec.data).caCertPem ?? '').toString('base64');
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
  userNs = await testNamespace(kube.core, 'wh-user');
}, 120_000);

afterAll(async () => {
  await ignoreNotFound(kube.core.deleteNamespacedSecret({ namespace: COPSE_NAMESPACE, name: 'race-cert' }));
  await userNs?.cleanup();
});

describe('webhooks on a real apiserver', () => {
  it('stores the certificates in a kubernetes.io/tls Secret and injects the CA', async () => {
    const s = await kube.core.readNamespacedSecret({ namespace: COPSE_NAMESPACE, name: secretName });
    expect(s.type).toBe('kubernetes.io/tls');
    const b = bundleFromSecretData(s.data);
    const leaf = new X509Certificate(b.certPem as string);
    expect(leaf.subjectAltName).toContain(`DNS:copse-webhook.${COPSE_NAMESPACE}.svc`);
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect((await servedCertificate()).fingerprint256).toBe(leaf.fingerprint256);
    const ca = await servingCaBundle();
    expect(await caBundles()).toEqual([ca, ca]);
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
    const pcs = (await kube.custom.getNamespacedCustomObject({ group: 'grove.io', version: 'v1alpha1', plural: 'podcliquesets', namespace: userNs.name, name: 'good' })) as {
      spec: { template: { terminationDelay?: string; cliques: { spec: { minAvailable?: number } }[] } };
    };
    expect(pcs.spec.template.terminationDelay).toBe('4h0m0s');
    expect(pcs.spec.template.cliques[0]?.spec.minAvailable).toBe(2);
  });

  it('re-injects the caBundle after drift', async () => {
    await kube.admission.patchValidatingWebhookConfiguration(
      { name: 'podcliqueset-validating-webhook', body: [{ op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: Buffer.from('junk').toString('base64') }] },
      patchOptions(PatchStrategy.JsonPatch),
    );
    const ca = await servingCaBundle();
    await eventually('caBundle to be restored', async () => (await caBundles()).every((c) => c === ca), 30_000);
  });

  it('recreates a deleted Secret with a new CA, swaps the serving cert live and re-injects', async () => {
    const oldCa = await servingCaBundle();
    const oldServed = (await servedCertificate()).fingerprint256;
    await kube.core.deleteNamespacedSecret({ namespace: COPSE_NAMESPACE, name: secretName });
    const newCa = await eventually('a new CA in a recreated Secret', async () => {
      try {
        const ca = await servingCaBundle();
        return ca !== oldCa ? ca : undefined;
      } catch {
        return undefined;
      }
    }, 30_000);
    await eventually('the server to present the new certificate', async () => (await servedCertificate()).fingerprint256 !== oldServed, 30_000);
    await eventually('configs to carry the new CA', async () => (await caBundles()).every((c) => c === newCa), 30_000);
    const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input: pcsYaml('after-rotation', 1) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('two writers racing on a fresh Secret converge on one CA', async () => {
    const ref = { namespace: COPSE_NAMESPACE, name: 'race-cert' };
    const policy = rotationPolicy(servingNames({ name: 'copse-webhook', namespace: COPSE_NAMESPACE }));
    const results = await Promise.all([1, 2, 3].map(() => ensureServingSecret(kube.core, ref, policy)));
    const stored = bundleFromSecretData((await kube.core.readNamespacedSecret(ref)).data);
    expect(results.filter((r) => r.wrote)).toHaveLength(1);
    for (const r of results) expect(r.bundle.caCertPem).toBe(stored.caCertPem);
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
