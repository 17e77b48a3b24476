import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { V1Secret } from '../kube/client.js';
import { newCa } from './issue.js';
import { DAY_MS, decideRotation, notAfter, parseCert, rotationPolicy, servingNames, splitPemCerts } from './rotate.js';
import {
  bundleFromSecretData,
  ensureServingSecret,
  pruneCaBundle,
  readCertDir,
  renewBundle,
  secretDataFromBundle,
  type SecretsApi,
} from './store.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const policy = rotationPolicy(servingNames({ name: 'copse-webhook', namespace: 'copse-system' }));
const ref = { namespace: 'copse-system', name: 'copse-webhook-server-cert' };

function statusError(code: number, reason: string, message: string): ApiException<string> {
  return new ApiException(code, `HTTP-Code: ${code}`, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }), {});
}

/**
 * In-process stand-in for the three Secret calls, with the apiserver's optimistic-concurrency
 * rules (AlreadyExists on create, Conflict on a stale resourceVersion). Each call yields to the
 * event loop first so concurrent callers interleave the way two replicas would.
 */
class SecretStore {
  readonly secrets = new Map<string, V1Secret>();
  rv = 0;
  writes = 0;
  private key = (ns: string, n: string): string => `${ns}/${n}`;
  private tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  api(): SecretsApi {
    return {
      readNamespacedSecret: async ({ namespace, name }: { namespace: string; name: string }) => {
        await this.tick();
        const s = this.secrets.get(this.key(namespace, name));
        if (!s) throw statusError(404, 'NotFound', `secrets "${name}" not found`);
        return structuredClone(s);
      },
      createNamespacedSecret: async ({ namespace, body }: { namespace: string; body: V1Secret }) => {
        await this.tick();
        const name = body.metadata?.name ?? '';
        if (this.secrets.has(this.key(namespace, name))) throw statusError(409, 'AlreadyExists', `secrets "${name}" already exists`);
        const stored = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
        this.secrets.set(this.key(namespace, name), stored);
        this.writes++;
        return structuredClone(stored);
      },
      replaceNamespacedSecret: async ({ namespace, name, body }: { namespace: string; name: string; body: V1Secret }) => {
        await this.tick();
        const cur = this.secrets.get(this.key(namespace, name));
        if (!cur) throw statusError(404, 'NotFound', `secrets "${name}" not found`);
        if (body.metadata?.resourceVersion !== cur.metadata?.resourceVersion) {
          throw statusError(409, 'Conflict', 'Operation cannot be fulfilled on secrets: the object has been modified; please apply your changes to the latest version and try again');
        }
        if (body.type !== cur.type) throw statusError(422, 'Invalid', 'type: Invalid value: field is immutable');
        const stored = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
        this.secrets.set(this.key(namespace, name), stored);
        this.writes++;
        return structuredClone(stored);
      },
    } as unknown as SecretsApi;
  }

  bundle(): ReturnType<typeof bundleFromSecretData> {
    return bundleFromSecretData(this.secrets.get(this.key(ref.namespace, ref.name))?.data);
  }
}

describe('Secret data conversion', () => {
  it('round-trips the four keys and treats empty values as absent', () => {
    const data = secretDataFromBundle({ certPem: 'C', keyPem: 'K', caCertPem: 'CA', caKeyPem: 'CAK' });
    expect(Object.keys(data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    expect(data['tls.crt']).toBe(Buffer.from('C').toString('base64'));
    expect(bundleFromSecretData(data)).toEqual({ certPem: 'C', keyPem: 'K', caCertPem: 'CA', caKeyPem: 'CAK' });
    expect(bundleFromSecretData({ 'tls.crt': '', 'tls.key': '', 'ca.crt': '' })).toEqual({});
    expect(bundleFromSecretData(undefined)).toEqual({});
  });
});

describe('renewBundle', () => {
  const ca = newCa({ commonName: 'copse-ca', now: NOW, validDays: 3650 });

  it('renew-ca puts the new CA first and keeps the still-valid old CA after it', () => {
    const old = { caCertPem: ca.certPem, caKeyPem: ca.keyPem };
    const next = renewBundle(old, 'renew-ca', NOW, policy);
    const chain = splitPemCerts(next.caCertPem);
    expect(chain).toHaveLength(2);
    expect(chain[1]).toBe(splitPemCerts(ca.certPem)[0]);
    expect(next.caKeyPem).not.toBe(ca.keyPem);
    expect(decideRotation(next, NOW, policy)).toEqual({ action: 'keep', reason: 'certificates are valid' });
  });

  it('renew-leaf keeps the CA and caps the leaf at the CA expiry', () => {
    const shortCa = newCa({ commonName: 'copse-ca', now: NOW, validDays: 100 });
    const next = renewBundle({ caCertPem: shortCa.certPem, caKeyPem: shortCa.keyPem }, 'renew-leaf', NOW, policy);
    expect(next.caCertPem).toBe(splitPemCerts(shortCa.certPem)[0]);
    expect(next.caKeyPem).toBe(shortCa.keyPem);
    const leaf = new X509Certificate(next.certPem as string);
    expect(leaf.checkIssued(new X509Certificate(shortCa.certPem))).toBe(true);
    expect(notAfter(leaf).getTime()).toBe(NOW.getTime() + 100 * DAY_MS);
    expect(notAfter(leaf).getTime()).toBeLessThanOrEqual(notAfter(new X509Certificate(shortCa.certPem)).getTime());
  });

  it('pruneCaBundle drops expired trailing CAs but never the signing one', () => {
    const expired = newCa({ commonName: 'old', now: new Date(NOW.getTime() - 20 * DAY_MS), validDays: 10 });
    expect(splitPemCerts(pruneCaBundle(ca.certPem + expired.certPem, NOW))).toHaveLength(1);
    expect(splitPemCerts(pruneCaBundle(expired.certPem + ca.certPem, NOW))).toHaveLength(2);
    expect(pruneCaBundle(undefined, NOW)).toBe('');
  });
});

describe('ensureServingSecret', () => {
  it('creates a kubernetes.io/tls Secret when none exists, then keeps it', async () => {
    const store = new SecretStore();
    const first = await ensureServingSecret(store.api(), ref, policy, { now: () => NOW });
    expect(first).toMatchObject({ action: 'renew-ca', wrote: true });
    const s = store.secrets.get(`${ref.namespace}/${ref.name}`);
    expect(s?.type).toBe('kubernetes.io/tls');
    expect(s?.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'copse' });
    expect(Object.keys(s?.data ?? {}).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    const second = await ensureServingSecret(store.api(), ref, policy, { now: () => NOW });
    expect(second).toMatchObject({ action: 'keep', wrote: false });
    expect(second.bundle).toEqual(store.bundle());
    expect(store.writes).toBe(1);
  });

  it('two replicas starting together converge on one CA (create race)', async () => {
    const store = new SecretStore();
    const [a, b] = await Promise.all([
      ensureServingSecret(store.api(), ref, policy, { now: () => NOW }),
      ensureServingSecret(store.api(), ref, policy, { now: () => NOW }),
    ]);
    expect(store.writes).toBe(1);
    expect(a.bundle.caCertPem).toBe(store.bundle().caCertPem);
    expect(b.bundle.caCertPem).toBe(store.bundle().caCertPem);
    expect(a.bundle.certPem).toBe(b.bundle.certPem);
    expect([a.wrote, b.wrote].sort()).toEqual([false, true]);
  });

  it('two replicas filling a pre-created empty placeholder converge too (update race), keeping its type', async () => {
    const store = new SecretStore();
    store.secrets.set(`${ref.namespace}/${ref.name}`, {
      metadata: { name: ref.name, namespace: ref.namespace, resourceVersion: '7', annotations: { keep: 'me' } },
      type: 'Opaque',
      data: { 'tls.crt': '', 'tls.key': '', 'ca.crt': '' },
    });
    const results = await Promise.all([1, 2, 3].map(() => ensureServingSecret(store.api(), ref, policy, { now: () => NOW })));
    expect(store.writes).toBe(1);
    const ca = store.bundle().caCertPem;
    expect(ca).toBeDefined();
    for (const r of results) expect(r.bundle.caCertPem).toBe(ca);
    const s = store.secrets.get(`${ref.namespace}/${ref.name}`);
    expect(s?.type).toBe('Opaque');
    expect(s?.metadata?.annotations).toEqual({ keep: 'me' });
  });

  it('renews only the leaf when it nears expiry, keeping the CA', async () => {
    const store = new SecretStore();
    await ensureServingSecret(store.api(), ref, policy, { now: () => NOW });
    const before = store.bundle();
    const later = new Date(NOW.getTime() + 300 * DAY_MS);
    const r = await ensureServingSecret(store.api(), ref, policy, { now: () => later });
    expect(r.action).toBe('renew-leaf');
    expect(store.bundle().caCertPem).toBe(before.caCertPem);
    expect(store.bundle().certPem).not.toBe(before.certPem);
    expect(notAfter(parseCert(store.bundle().certPem) as X509Certificate).getTime()).toBe(later.getTime() + 365 * DAY_MS);
  });

  it('propagates non-conflict errors as KubeError', async () => {
    const api = {
      readNamespacedSecret: async () => {
        throw statusError(403, 'Forbidden', 'secrets "x" is forbidden: User "u" cannot get resource "secrets"');
      },
    } as unknown as SecretsApi;
    await expect(ensureServingSecret(api, ref, policy)).rejects.toMatchObject({ name: 'KubeError', kind: 'Forbidden', code: 403 });
  });
});

describe('readCertDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copse-certdir-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads tls.crt, tls.key and an optional ca.crt', async () => {
    expect(await readCertDir(dir)).toEqual({});
    writeFileSync(join(dir, 'tls.crt'), 'CERT');
    writeFileSync(join(dir, 'tls.key'), 'KEY');
    expect(await readCertDir(dir)).toEqual({ certPem: 'CERT', keyPem: 'KEY' });
    writeFileSync(join(dir, 'ca.crt'), 'CA');
    expect(await readCertDir(dir)).toEqual({ certPem: 'CERT', keyPem: 'KEY', caCertPem: 'CA' });
  });
});
