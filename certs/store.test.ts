import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Secret } from '../api/core/wire.js';
import { KubeError, kindFor } from '../kube/errors.js';
import type { Resource } from '../kube/resources.js';
import { newCa } from './issue.js';
import { DAY_MS, decideRotation, notAfter, parseCert, rotationPolicy, servingNames, splitPemCerts } from './rotate.js';
import {
  bundleFromSecretData,
  caSecretData,
  ensureCertificates,
  pruneCaBundle,
  readCertDir,
  renewBundle,
  servingSecretData,
  type SecretsApi,
} from './store.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const policy = rotationPolicy(servingNames({ name: 'copse-webhook', namespace: 'copse-system' }));
const ref = { namespace: 'copse-system', name: 'copse-webhook-server-cert' };
const caRef = { namespace: 'copse-system', name: 'copse-ca' };
const refs = { ca: caRef, serving: ref };

function statusError(code: number, reason: string, message: string): KubeError {
  return new KubeError(kindFor(code, reason), code, `${reason} (${code}): ${message}`, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }, undefined);
}

/**
 * In-process stand-in for the three Secret calls, with the apiserver's optimistic-concurrency
 * rules (AlreadyExists on create, Conflict on a stale resourceVersion). Each call yields to the
 * event loop first so concurrent callers interleave the way two replicas would.
 */
class SecretStore {
  readonly secrets = new Map<string, Secret>();
  rv = 0;
  writes = 0;
  private key = (ns: string, n: string): string => `${ns}/${n}`;
  private tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  api(): SecretsApi {
    return {
      tryGet: async (_r: Resource, name: string, namespace: string) => {
        await this.tick();
        const s = this.secrets.get(this.key(namespace, name));
        return s && structuredClone(s);
      },
      create: async (_r: Resource, body: Secret) => {
        await this.tick();
        const name = body.metadata?.name ?? '';
        const namespace = body.metadata?.namespace ?? '';
        if (this.secrets.has(this.key(namespace, name))) throw statusError(409, 'AlreadyExists', `secrets "${name}" already exists`);
        const stored = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
        this.secrets.set(this.key(namespace, name), stored);
        this.writes++;
        return structuredClone(stored);
      },
      update: async (_r: Resource, body: Secret) => {
        await this.tick();
        const name = body.metadata?.name ?? '';
        const namespace = body.metadata?.namespace ?? '';
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

  secret(r: { namespace: string; name: string } = ref): Secret | undefined {
    return this.secrets.get(this.key(r.namespace, r.name));
  }

  bundle(r: { namespace: string; name: string } = ref): ReturnType<typeof bundleFromSecretData> {
    return bundleFromSecretData(this.secret(r)?.data);
  }

  keys(r: { namespace: string; name: string } = ref): string[] {
    return Object.keys(this.secret(r)?.data ?? {}).sort();
  }
}

describe('Secret data conversion', () => {
  it('keeps the CA key in the CA Secret only, and treats empty values as absent', () => {
    const all = { certPem: 'C', keyPem: 'K', caCertPem: 'CA', caKeyPem: 'CAK' };
    const serving = servingSecretData(all);
    expect(Object.keys(serving).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(serving['tls.crt']).toBe(Buffer.from('C').toString('base64'));
    expect(bundleFromSecretData(serving)).toEqual({ certPem: 'C', keyPem: 'K', caCertPem: 'CA' });
    expect(Object.keys(caSecretData(all)).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(bundleFromSecretData(caSecretData(all))).toEqual({ caCertPem: 'CA', caKeyPem: 'CAK' });
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

// Each case generates several RSA keys, which takes seconds on a busy machine.
describe('ensureCertificates', { timeout: 30_000 }, () => {
  const issuedBy = (leafPem: string | undefined, caPem: string | undefined): boolean =>
    new X509Certificate(leafPem as string).checkIssued(new X509Certificate(splitPemCerts(caPem)[0] as string));

  it('creates the CA Secret and a kubernetes.io/tls serving Secret without the CA key, then keeps both', async () => {
    const store = new SecretStore();
    const first = await ensureCertificates(store.api(), refs, policy, { now: () => NOW });
    expect(first).toMatchObject({ action: 'renew-ca', wrote: true });
    expect(store.secret(caRef)?.type).toBe('Opaque');
    expect(store.keys(caRef)).toEqual(['ca.crt', 'ca.key']);
    const s = store.secret(ref);
    expect(s?.type).toBe('kubernetes.io/tls');
    expect(s?.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'copse' });
    expect(store.keys(ref)).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(store.bundle(ref).caCertPem).toBe(store.bundle(caRef).caCertPem);
    expect(issuedBy(store.bundle(ref).certPem, store.bundle(caRef).caCertPem)).toBe(true);
    expect(store.writes).toBe(2);

    const second = await ensureCertificates(store.api(), refs, policy, { now: () => NOW });
    expect(second).toMatchObject({ action: 'keep', wrote: false });
    expect(second.bundle).toEqual({ ...store.bundle(ref), caKeyPem: store.bundle(caRef).caKeyPem });
    expect(store.writes).toBe(2);
  });

  it('two replicas starting together converge on one CA (create race)', async () => {
    const store = new SecretStore();
    const [a, b] = await Promise.all([
      ensureCertificates(store.api(), refs, policy, { now: () => NOW }),
      ensureCertificates(store.api(), refs, policy, { now: () => NOW }),
    ]);
    expect(store.writes).toBe(2);
    expect(a.bundle.caCertPem).toBe(store.bundle(caRef).caCertPem);
    expect(b.bundle.caCertPem).toBe(store.bundle(caRef).caCertPem);
    expect(a.bundle.certPem).toBe(b.bundle.certPem);
    expect(a.bundle.certPem).toBe(store.bundle(ref).certPem);
  });

  it('replicas filling a pre-created empty placeholder converge too (update race), keeping its type and annotations', async () => {
    const store = new SecretStore();
    store.secrets.set(`${ref.namespace}/${ref.name}`, {
      metadata: { name: ref.name, namespace: ref.namespace, resourceVersion: '7', annotations: { keep: 'me' } },
      type: 'Opaque',
      data: { 'tls.crt': '', 'tls.key': '', 'ca.crt': '' },
    });
    const results = await Promise.all([1, 2, 3].map(() => ensureCertificates(store.api(), refs, policy, { now: () => NOW })));
    expect(store.writes).toBe(2);
    const ca = store.bundle(caRef).caCertPem;
    expect(ca).toBeDefined();
    for (const r of results) expect(r.bundle.caCertPem).toBe(ca);
    expect(store.secret(ref)?.type).toBe('Opaque');
    expect(store.secret(ref)?.metadata?.annotations).toEqual({ keep: 'me' });
  });

  it('renews only the leaf when it nears expiry, leaving the CA Secret untouched', async () => {
    const store = new SecretStore();
    await ensureCertificates(store.api(), refs, policy, { now: () => NOW });
    const before = store.bundle(ref);
    const caVersion = store.secret(caRef)?.metadata?.resourceVersion;
    const later = new Date(NOW.getTime() + 300 * DAY_MS);
    const r = await ensureCertificates(store.api(), refs, policy, { now: () => later });
    expect(r.action).toBe('renew-leaf');
    expect(store.secret(caRef)?.metadata?.resourceVersion).toBe(caVersion);
    expect(store.bundle(ref).caCertPem).toBe(before.caCertPem);
    expect(store.bundle(ref).certPem).not.toBe(before.certPem);
    expect(notAfter(parseCert(store.bundle(ref).certPem) as X509Certificate).getTime()).toBe(later.getTime() + 365 * DAY_MS);
  });

  it('migrates the combined layout: the CA moves to its own Secret unchanged, ca.key leaves the serving Secret', async () => {
    const legacy = renewBundle({}, 'renew-ca', NOW, policy);
    const store = new SecretStore();
    store.secrets.set(`${ref.namespace}/${ref.name}`, {
      metadata: { name: ref.name, namespace: ref.namespace, resourceVersion: '5' },
      type: 'kubernetes.io/tls',
      data: { ...servingSecretData(legacy), ...caSecretData(legacy) },
    });
    const results = await Promise.all([1, 2, 3].map(() => ensureCertificates(store.api(), refs, policy, { now: () => NOW })));
    expect(store.bundle(caRef)).toEqual({ caCertPem: legacy.caCertPem, caKeyPem: legacy.caKeyPem });
    expect(store.keys(ref)).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(store.bundle(ref)).toEqual({ caCertPem: legacy.caCertPem, certPem: legacy.certPem, keyPem: legacy.keyPem });
    for (const r of results) expect(r.bundle).toEqual(legacy);
    expect(store.writes).toBe(2);
    expect(await ensureCertificates(store.api(), refs, policy, { now: () => NOW })).toMatchObject({ action: 'keep', wrote: false });
  });

  it('a deleted CA Secret gets a new CA, with the old one still trusted in ca.crt while it is valid', async () => {
    const store = new SecretStore();
    await ensureCertificates(store.api(), refs, policy, { now: () => NOW });
    const oldCa = store.bundle(caRef).caCertPem as string;
    store.secrets.delete(`${caRef.namespace}/${caRef.name}`);
    const r = await ensureCertificates(store.api(), refs, policy, { now: () => NOW });
    expect(r.action).toBe('renew-ca');
    const chain = splitPemCerts(store.bundle(caRef).caCertPem);
    expect(chain).toHaveLength(2);
    expect(chain[1]).toBe(oldCa);
    expect(chain[0]).not.toBe(oldCa);
    expect(store.bundle(ref).caCertPem).toBe(store.bundle(caRef).caCertPem);
    expect(issuedBy(store.bundle(ref).certPem, chain[0])).toBe(true);
  });

  it('propagates non-conflict errors as KubeError', async () => {
    const api = {
      tryGet: async () => {
        throw statusError(403, 'Forbidden', 'secrets "x" is forbidden: User "u" cannot get resource "secrets"');
      },
    } as unknown as SecretsApi;
    await expect(ensureCertificates(api, refs, policy)).rejects.toMatchObject({ name: 'KubeError', kind: 'Forbidden', code: 403 });
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
