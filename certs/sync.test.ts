import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPatch, JsonPatchError } from '../test/support/json-patch.js';
import { issueCert, newCa } from './issue.js';
import { apiServiceCaBundlePatch, startCertSync, webhookCaBundlePatch, type ServingCertificate } from './sync.js';

const silent = pino({ level: 'silent' });

describe('webhookCaBundlePatch', () => {
  const config = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'podcliqueset-validating-webhook' },
    webhooks: [
      { name: 'a.webhooks.grove.io', clientConfig: { service: { name: 's', namespace: 'n' }, caBundle: 'OLD' } },
      { name: 'b.webhooks.grove.io', clientConfig: { url: 'https://127.0.0.1:9443/x' } },
      { name: 'c.webhooks.grove.io', clientConfig: { url: 'https://127.0.0.1:9443/y', caBundle: 'NEW' } },
    ],
  };

  it('sets caBundle on every webhook that differs, each guarded by a test of its name', () => {
    const ops = webhookCaBundlePatch(config.webhooks, 'NEW');
    expect(ops).toEqual([
      { op: 'test', path: '/webhooks/0/name', value: 'a.webhooks.grove.io' },
      { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'NEW' },
      { op: 'test', path: '/webhooks/1/name', value: 'b.webhooks.grove.io' },
      { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: 'NEW' },
    ]);
    const patched = applyPatch<typeof config>(config, ops);
    expect(patched.webhooks.map((w) => w.clientConfig.caBundle)).toEqual(['NEW', 'NEW', 'NEW']);
    // Everything else is untouched (a merge patch would have replaced the list).
    expect(patched.webhooks[0]?.clientConfig).toEqual({ service: { name: 's', namespace: 'n' }, caBundle: 'NEW' });
    expect(webhookCaBundlePatch(patched.webhooks, 'NEW')).toEqual([]);
  });

  it('fails instead of writing into the wrong entry when the list was reordered meanwhile', () => {
    const ops = webhookCaBundlePatch(config.webhooks, 'NEW');
    const reordered = { ...config, webhooks: [config.webhooks[1], config.webhooks[0], config.webhooks[2]] };
    expect(() => applyPatch(reordered, ops)).toThrow(JsonPatchError);
  });

  it('creates clientConfig when it is missing', () => {
    expect(webhookCaBundlePatch([{ name: 'x.y.z' }], 'CA')).toEqual([
      { op: 'test', path: '/webhooks/0/name', value: 'x.y.z' },
      { op: 'add', path: '/webhooks/0/clientConfig', value: { caBundle: 'CA' } },
    ]);
  });
});

describe('apiServiceCaBundlePatch', () => {
  it('sets caBundle and clears insecureSkipTLSVerify, or does nothing when already right', () => {
    expect(apiServiceCaBundlePatch({ insecureSkipTLSVerify: true }, 'CA')).toEqual({ spec: { caBundle: 'CA', insecureSkipTLSVerify: null } });
    expect(apiServiceCaBundlePatch({ caBundle: 'OLD' }, 'CA')).toEqual({ spec: { caBundle: 'CA', insecureSkipTLSVerify: null } });
    expect(apiServiceCaBundlePatch({ caBundle: 'CA' }, 'CA')).toBeUndefined();
  });
});

async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

describe('startCertSync, manual mode with a certificate directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copse-manual-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ca = newCa({ commonName: 'user-ca', now: new Date(), validDays: 30 });
  const issue = (cn: string): ReturnType<typeof issueCert> =>
    issueCert(ca, { commonName: cn, dnsNames: ['copse-webhook.copse-system.svc'], usage: 'server', now: new Date(), validDays: 10 });

  it('is not ready without files, loads them when they appear, reloads on change, ignores broken ones, never needs a cluster', async () => {
    const delivered: ServingCertificate[] = [];
    const sync = await startCertSync({
      mode: 'manual',
      certDir: dir,
      secret: { namespace: 'copse-system', name: 'unused' },
      service: { name: 'copse-webhook', namespace: 'copse-system' },
      pollIntervalMs: 50,
      onCertificate: (c) => {
        delivered.push(c);
      },
      log: silent,
    });
    try {
      expect(sync.ready()).toBe(false);
      expect(delivered).toHaveLength(0);

      const one = issue('one');
      writeFileSync(join(dir, 'tls.key'), one.keyPem);
      writeFileSync(join(dir, 'tls.crt'), one.certPem);
      writeFileSync(join(dir, 'ca.crt'), ca.certPem);
      await eventually(() => expect(delivered).toHaveLength(1));
      expect(delivered[0]).toEqual({ certPem: one.certPem, keyPem: one.keyPem, caPem: ca.certPem });
      expect(sync.ready()).toBe(true);
      expect(sync.caBundle()).toBe(Buffer.from(ca.certPem).toString('base64'));

      // A key that does not match the cert is refused; the previous certificate stays in use.
      const two = issue('two');
      writeFileSync(join(dir, 'tls.crt'), two.certPem);
      const report = await sync.syncNow();
      expect(report.delivered).toBe(false);
      expect(report.errors).toEqual(['certificate not servable: private key does not match the certificate']);
      expect(sync.current()?.certPem).toBe(one.certPem);

      writeFileSync(join(dir, 'tls.key'), two.keyPem);
      await eventually(() => expect(delivered).toHaveLength(2));
      expect(delivered[1]?.certPem).toBe(two.certPem);
      expect((await sync.syncNow()).delivered).toBe(false); // unchanged ⇒ no redelivery
    } finally {
      sync.stop();
    }
  });

  it('auto mode refuses to start without Kubernetes clients', async () => {
    await expect(
      startCertSync({
        mode: 'auto',
        secret: { namespace: 'n', name: 's' },
        service: { name: 'svc', namespace: 'n' },
        onCertificate: () => undefined,
        log: silent,
      }),
    ).rejects.toThrow(/needs Kubernetes clients/);
  });
});
