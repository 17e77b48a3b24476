import { describe, expect, it } from 'vitest';
import { issueCert, newCa, type CertKeyPem } from './issue.js';
import { DAY_MS, certSans, decideRotation, parseCert, rotate, rotationPolicy, servable, servingNames, splitPemCerts, type CertBundle } from './rotate.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const ago = (days: number): Date => new Date(NOW.getTime() - days * DAY_MS);

const names = servingNames({ name: 'copse-webhook', namespace: 'copse-system' });
const policy = rotationPolicy(names);

const ca = newCa({ commonName: 'copse-ca', now: ago(1), validDays: 3650 });
const otherCa = newCa({ commonName: 'copse-ca', now: ago(1), validDays: 3650 });
// Issued 9.5 years ago: ~200 days left, inside the 1-year CA renewal window.
const agingCa = newCa({ commonName: 'copse-ca', now: ago(3650 - 200), validDays: 3650 });
const expiredCa = newCa({ commonName: 'copse-ca', now: ago(20), validDays: 10 });

function leaf(issuer: CertKeyPem, issuedDaysAgo: number, opts: { dns?: string[]; ips?: string[]; usage?: 'server' | 'client'; validDays?: number } = {}): CertKeyPem {
  return issueCert(issuer, {
    commonName: 'copse-webhook',
    dnsNames: opts.dns ?? names.dnsNames,
    ipAddresses: opts.ips ?? names.ipAddresses,
    usage: opts.usage ?? 'server',
    now: ago(issuedDaysAgo),
    validDays: opts.validDays ?? 365,
  });
}

const good = leaf(ca, 1);
const bundle = (c: CertKeyPem, l: CertKeyPem | undefined, over: Partial<CertBundle> = {}): CertBundle => ({
  caCertPem: c.certPem,
  caKeyPem: c.keyPem,
  ...(l ? { certPem: l.certPem, keyPem: l.keyPem } : {}),
  ...over,
});

describe('servingNames', () => {
  it('lists the Service DNS forms plus localhost and 127.0.0.1', () => {
    expect(names).toEqual({
      dnsNames: ['copse-webhook', 'copse-webhook.copse-system', 'copse-webhook.copse-system.svc', 'copse-webhook.copse-system.svc.cluster.local', 'localhost'],
      ipAddresses: ['127.0.0.1'],
    });
  });
});

describe('rotate decision table', () => {
  const cases: [string, CertBundle, 'keep' | 'renew-leaf' | 'renew-ca', RegExp][] = [
    ['fresh CA and leaf', bundle(ca, good), 'keep', /valid/],
    ['empty Secret (Grove-style placeholder)', {}, 'renew-ca', /no CA certificate/],
    ['unparsable CA', bundle(ca, good, { caCertPem: 'garbage' }), 'renew-ca', /unparsable/],
    ['CA within a year of expiry', bundle(agingCa, leaf(agingCa, 1)), 'renew-ca', /CA certificate expires in 200d/],
    ['expired CA', bundle(expiredCa, undefined), 'renew-ca', /CA certificate expired/],
    ['CA key does not match', bundle(ca, good, { caKeyPem: otherCa.keyPem }), 'renew-ca', /CA key does not match/],
    ['missing CA key', bundle(ca, good, { caKeyPem: undefined }), 'renew-ca', /no CA key/],
    ['ca.crt holds a leaf', bundle(ca, good, { caCertPem: good.certPem, caKeyPem: good.keyPem }), 'renew-ca', /not a CA/],
    ['no leaf yet', bundle(ca, undefined), 'renew-leaf', /no serving certificate/],
    ['leaf expires in 60 days', bundle(ca, leaf(ca, 305)), 'renew-leaf', /expires in 59d|expires in 60d/],
    ['leaf expired', bundle(ca, leaf(ca, 400)), 'renew-leaf', /serving certificate expired/],
    ['leaf with 100 days left is kept', bundle(ca, leaf(ca, 265)), 'keep', /valid/],
    ['leaf lacks 127.0.0.1', bundle(ca, leaf(ca, 1, { ips: [] })), 'renew-leaf', /SANs differ/],
    ['leaf has an extra name', bundle(ca, leaf(ca, 1, { dns: [...names.dnsNames, 'extra.example'] })), 'renew-leaf', /SANs differ/],
    ['SANs in another order and case are the same', bundle(ca, leaf(ca, 1, { dns: [...names.dnsNames].reverse().map((d) => d.toUpperCase()) })), 'keep', /valid/],
    ['leaf signed by another CA', bundle(ca, leaf(otherCa, 1)), 'renew-leaf', /not signed by the current CA/],
    ['leaf key does not match', bundle(ca, good, { keyPem: otherCa.keyPem }), 'renew-leaf', /serving key does not match/],
    ['leaf is a client certificate', bundle(ca, leaf(ca, 1, { usage: 'client' })), 'renew-leaf', /serverAuth/],
    ['leaf not yet valid', bundle(ca, leaf(ca, -2)), 'renew-leaf', /not yet valid/],
    ['unparsable leaf', bundle(ca, good, { certPem: 'nope' }), 'renew-leaf', /unparsable/],
    ['CA bundle with an older CA after the signing one', bundle(ca, good, { caCertPem: ca.certPem + otherCa.certPem }), 'keep', /valid/],
  ];

  it.each(cases.map(([name, b, action, reason]) => ({ name, b, action, reason })))('$name ⇒ $action', ({ b, action, reason }) => {
    const d = decideRotation(b, NOW, policy);
    expect(d.action).toBe(action);
    expect(d.reason).toMatch(reason);
    expect(rotate(b, NOW, policy)).toBe(action);
  });

  it('moves from keep to renew-leaf as the clock passes the 90-day window', () => {
    const b = bundle(ca, good); // expires NOW + 364 d
    expect(rotate(b, new Date(NOW.getTime() + 273 * DAY_MS), policy)).toBe('keep');
    expect(rotate(b, new Date(NOW.getTime() + 275 * DAY_MS), policy)).toBe('renew-leaf');
  });

  it('honours a custom policy', () => {
    const short = rotationPolicy(names, { leafValidDays: 30, leafRenewBeforeDays: 10 });
    expect(rotate(bundle(ca, leaf(ca, 1)), NOW, short)).toBe('keep'); // 364 d left > 10 d
    expect(rotate(bundle(ca, leaf(ca, 25, { validDays: 30 })), NOW, short)).toBe('renew-leaf');
  });
});

describe('rotationPolicy', () => {
  it('rejects windows that would renew forever and an empty SAN list', () => {
    expect(() => rotationPolicy(names, { leafRenewBeforeDays: 365 })).toThrow(/leafRenewBeforeDays/);
    expect(() => rotationPolicy(names, { caRenewBeforeDays: 4000 })).toThrow(/caRenewBeforeDays/);
    expect(() => rotationPolicy({ dnsNames: [] })).toThrow(/SAN/);
  });
});

describe('helpers', () => {
  it('splits PEM bundles and parses SANs', () => {
    expect(splitPemCerts(ca.certPem + '\n' + otherCa.certPem)).toHaveLength(2);
    expect(splitPemCerts('junk')).toEqual([]);
    const x = parseCert(good.certPem);
    expect(x && certSans(x)).toEqual(names);
  });

  it('servable accepts a valid pair and explains what is wrong otherwise', () => {
    expect(servable(good.certPem, good.keyPem, NOW)).toEqual({ ok: true });
    expect(servable(good.certPem, otherCa.keyPem, NOW)).toEqual({ ok: false, reason: 'private key does not match the certificate' });
    expect(servable(undefined, good.keyPem, NOW)).toMatchObject({ ok: false, reason: /missing or unparsable/ });
    expect(servable(good.certPem, 'x', NOW)).toMatchObject({ ok: false, reason: /private key/ });
    expect(servable(good.certPem, good.keyPem, new Date(NOW.getTime() + 400 * DAY_MS))).toMatchObject({ ok: false, reason: /expired/ });
  });
});
