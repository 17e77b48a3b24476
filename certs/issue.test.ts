import { X509Certificate, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { base64, issueCert, newCa } from './issue.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('issue', () => {
  const ca = newCa({ commonName: 'copse-ca', organization: 'copse', now: NOW, validDays: 3650 });
  const leaf = issueCert(ca, {
    commonName: 'copse-webhook',
    organizations: ['copse'],
    dnsNames: ['copse-webhook', 'copse-webhook.copse-system.svc', 'localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    now: NOW,
    validDays: 365,
  });

  it('creates a self-signed CA valid for 10 years, backdated one hour', () => {
    const x = new X509Certificate(ca.certPem);
    expect(x.ca).toBe(true);
    expect(x.subject).toBe('CN=copse-ca\nO=copse');
    expect(x.issuer).toBe(x.subject);
    expect(x.checkIssued(x)).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(new Date(x.validFrom).getTime()).toBe(NOW.getTime() - HOUR);
    expect(new Date(x.validTo).getTime()).toBe(NOW.getTime() + 3650 * DAY);
    expect(x.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
    const f = forge.pki.certificateFromPem(ca.certPem);
    expect(f.getExtension('basicConstraints')).toMatchObject({ cA: true, critical: true });
    expect(f.getExtension('keyUsage')).toMatchObject({ keyCertSign: true, cRLSign: true });
  });

  it('issues a serving cert signed by the CA with the requested SANs, EKU and validity', () => {
    const x = new X509Certificate(leaf.certPem);
    const cax = new X509Certificate(ca.certPem);
    expect(x.ca).toBe(false);
    expect(x.subject).toBe('CN=copse-webhook\nO=copse');
    expect(x.issuer).toBe('CN=copse-ca\nO=copse');
    expect(x.checkIssued(cax)).toBe(true);
    expect(x.verify(cax.publicKey)).toBe(true);
    expect(x.subjectAltName).toBe('DNS:copse-webhook, DNS:copse-webhook.copse-system.svc, DNS:localhost, IP Address:127.0.0.1');
    expect(x.checkHost('copse-webhook.copse-system.svc')).toBe('copse-webhook.copse-system.svc');
    expect(x.checkHost('other.svc')).toBeUndefined();
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    // X509Certificate.keyUsage is the extended key usage list: serverAuth only.
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(x.validFrom).getTime()).toBe(NOW.getTime() - HOUR);
    expect(new Date(x.validTo).getTime()).toBe(NOW.getTime() + 365 * DAY);
    expect(x.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(false);
  });

  it('sets clientAuth for client certificates and both for "both"', () => {
    const client = issueCert(ca, { commonName: 'front-proxy-client', usage: 'client', now: NOW, validDays: 1 });
    const both = issueCert(ca, { commonName: 'x', usage: 'both', now: NOW, validDays: 1 });
    expect(new X509Certificate(client.certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(new X509Certificate(both.certPem).keyUsage?.sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(new X509Certificate(client.certPem).subjectAltName).toBeUndefined();
  });

  it('uses distinct random serial numbers', () => {
    const a = new X509Certificate(issueCert(ca, { commonName: 'a', usage: 'server', now: NOW, validDays: 1, dnsNames: ['a'] }).certPem);
    expect(a.serialNumber).not.toBe(new X509Certificate(leaf.certPem).serialNumber);
    expect(a.serialNumber.startsWith('01')).toBe(true);
  });

  it('base64-encodes a PEM for caBundle', () => {
    expect(base64(ca.certPem)).toBe(Buffer.from(ca.certPem).toString('base64'));
    expect(Buffer.from(base64(ca.certPem), 'base64').toString()).toContain('-----BEGIN CERTIFICATE-----');
  });
});
