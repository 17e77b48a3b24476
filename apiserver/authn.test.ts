import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { issueCert, newCa } from '../certs/issue.js';
import { authenticate, frontProxyConfig, userFromHeaders, type FrontProxyConfig } from './authn.js';

const NOW = new Date();
const frontProxyCa = newCa({ commonName: 'front-proxy-ca', now: NOW, validDays: 10 });
const otherCa = newCa({ commonName: 'other-ca', now: NOW, validDays: 10 });
const cert = (ca: typeof frontProxyCa, cn: string, usage: 'client' | 'server' = 'client') => new X509Certificate(issueCert(ca, { commonName: cn, usage, now: NOW, validDays: 1 }).certPem);
const proxyClient = cert(frontProxyCa, 'front-proxy-client');

const DATA = {
  'requestheader-client-ca-file': frontProxyCa.certPem,
  'requestheader-allowed-names': '["front-proxy-client"]',
  'requestheader-username-headers': '["X-Remote-User"]',
  'requestheader-uid-headers': '["X-Remote-Uid"]',
  'requestheader-group-headers': '["X-Remote-Group"]',
  'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
};
const cfg: FrontProxyConfig = frontProxyConfig(DATA);

const HEADERS = {
  'x-remote-user': ['alice'],
  'x-remote-uid': ['u-1'],
  'x-remote-group': ['devs', ' system:authenticated '],
  'x-remote-extra-scopes': ['a', 'b'],
  'x-remote-extra-acme.com%2fproject': ['p1'],
};

describe('frontProxyConfig from kube-system/extension-apiserver-authentication', () => {
  it('reads the CA bundle, allowed names and header names', () => {
    expect(cfg.caCerts.map((c) => c.subject)).toEqual(['CN=front-proxy-ca']);
    expect([cfg.allowedNames, cfg.usernameHeaders, cfg.uidHeaders, cfg.groupHeaders, cfg.extraHeaderPrefixes]).toEqual([
      ['front-proxy-client'],
      ['X-Remote-User'],
      ['X-Remote-Uid'],
      ['X-Remote-Group'],
      ['X-Remote-Extra-'],
    ]);
  });

  it('names the key that is malformed', () => {
    expect(() => frontProxyConfig({ ...DATA, 'requestheader-allowed-names': '"x"' })).toThrow('requestheader-allowed-names: not a JSON array of strings');
    expect(() => frontProxyConfig({ ...DATA, 'requestheader-client-ca-file': 'garbage' })).toThrow('requestheader-client-ca-file: no PEM certificate in it');
    expect(() => frontProxyConfig({ ...DATA, 'requestheader-client-ca-file': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' })).toThrow(/^requestheader-client-ca-file: certificate 1 does not parse/);
  });

  it('without a CA bundle nothing authenticates', () => {
    const none = frontProxyConfig({});
    expect(none.caPem).toBeUndefined();
    expect(authenticate({ cert: proxyClient, tlsVerified: true }, HEADERS, none, NOW)).toEqual({ ok: false, reason: 'no requestheader client CA is configured' });
  });
});

describe('authenticate: the front-proxy certificate, then the headers', () => {
  it('believes the headers of the front proxy', () => {
    expect(authenticate({ cert: proxyClient, tlsVerified: true }, HEADERS, cfg, NOW)).toEqual({
      ok: true,
      user: { name: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a', 'b'], 'acme.com/project': ['p1'] } },
    });
  });

  it.each<[string, Parameters<typeof authenticate>[0], FrontProxyConfig | undefined, string]>([
    ['configuration not loaded', { cert: proxyClient, tlsVerified: true }, undefined, 'front-proxy configuration not loaded yet'],
    ['no client certificate (forged headers sent straight to the server)', { cert: undefined, tlsVerified: false }, cfg, 'no client certificate'],
    ['TLS did not verify it', { cert: proxyClient, tlsVerified: false }, cfg, 'client certificate did not verify against the requestheader CA'],
    ['signed by another CA', { cert: cert(otherCa, 'front-proxy-client'), tlsVerified: true }, cfg, 'client certificate is not signed by a requestheader CA'],
    ['a CN not allowed', { cert: cert(frontProxyCa, 'mallory'), tlsVerified: true }, cfg, 'client certificate CN "mallory" is not an allowed front-proxy name'],
    ['a server-only certificate', { cert: cert(frontProxyCa, 'front-proxy-client', 'server'), tlsVerified: true }, cfg, 'client certificate does not allow client authentication'],
  ])('401 when %s', (_what, peer, c, reason) => {
    expect(authenticate(peer, HEADERS, c, NOW)).toEqual({ ok: false, reason });
  });

  it('401 outside the certificate validity period', () => {
    const later = new Date(NOW.getTime() + 3 * 24 * 3600 * 1000);
    expect(authenticate({ cert: proxyClient, tlsVerified: true }, HEADERS, cfg, later)).toEqual({ ok: false, reason: 'client certificate is outside its validity period' });
  });

  it('401 without a user name, even from the front proxy', () => {
    expect(authenticate({ cert: proxyClient, tlsVerified: true }, { 'x-remote-user': ['  '] }, cfg, NOW)).toEqual({ ok: false, reason: 'no user in the front-proxy username headers' });
  });

  it('any CN is allowed when the allowed-names list is empty', () => {
    const open = frontProxyConfig({ ...DATA, 'requestheader-allowed-names': '' });
    expect(authenticate({ cert: cert(frontProxyCa, 'anyone'), tlsVerified: true }, HEADERS, open, NOW).ok).toBe(true);
  });
});

describe('userFromHeaders', () => {
  it('takes the first non-empty username header in configured order, header names case-insensitive', () => {
    const c = { ...cfg, usernameHeaders: ['X-First', 'X-Remote-User'] };
    expect(userFromHeaders({ 'x-first': [''], 'x-remote-user': ['bob'] }, c)?.name).toBe('bob');
  });

  it('leaves an extra key that does not unescape as sent, lower-cased', () => {
    expect(userFromHeaders({ 'x-remote-user': ['a'], 'x-remote-extra-bad%zz': ['v'] }, cfg)?.extra).toEqual({ 'bad%zz': ['v'] });
  });

  it('reads no uid when none is sent', () => {
    expect(userFromHeaders({ 'x-remote-user': ['a'] }, cfg)).toEqual({ name: 'a', groups: [], extra: {} });
  });
});
