// Front-proxy authentication, as the generic apiserver's requestheader authenticator does it
// (k8s-wire §1.5). A request is kube-apiserver's, and its X-Remote-* headers are believed, only when
// the TLS client certificate
//   - passed TLS verification against the requestheader CA bundle (chain and dates, by OpenSSL),
//   - was issued directly by a certificate in that bundle (checked again here, so a default trust
//     store can never stand in for a missing bundle),
//   - is within its validity period and allows client authentication (an extended key usage that,
//     when present, includes clientAuth, as Go's verifier requires),
//   - has a subject CN in requestheader-allowed-names (any CN when that list is empty),
// and a username header is non-empty. Anything else is unauthenticated: the caller answers 401 and
// no header is read. The configuration comes from kube-system/extension-apiserver-authentication.
import { X509Certificate } from 'node:crypto';

export const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EKU_OID = '2.5.29.37.0';

export interface FrontProxyConfig {
  /** PEM bundle of requestheader-client-ca-file; undefined when kube-apiserver has none. */
  caPem?: string;
  caCerts: X509Certificate[];
  allowedNames: string[];
  usernameHeaders: string[];
  uidHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra: { [key: string]: string[] };
}

export type AuthnResult = { ok: true; user: UserInfo } | { ok: false; reason: string };

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function jsonList(data: { [key: string]: string } | undefined, key: string): string[] {
  const raw = data?.[key];
  if (raw === undefined || raw.trim() === '') return [];
  const v: unknown = JSON.parse(raw);
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw new Error(`${key}: not a JSON array of strings`);
  return v;
}

/**
 * The configuration from the ConfigMap's data. Throws naming the key when a value is malformed (the
 * caller keeps the previous configuration).
 */
export function frontProxyConfig(data: { [key: string]: string } | undefined): FrontProxyConfig {
  const caPem = data?.['requestheader-client-ca-file']?.trim() ? data['requestheader-client-ca-file'] : undefined;
  const caCerts = (caPem?.match(PEM_CERT) ?? []).map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw new Error(`requestheader-client-ca-file: certificate ${i + 1} does not parse: ${(err as Error).message}`);
    }
  });
  if (caPem && caCerts.length === 0) throw new Error('requestheader-client-ca-file: no PEM certificate in it');
  return {
    ...(caPem ? { caPem } : {}),
    caCerts,
    allowedNames: jsonList(data, 'requestheader-allowed-names'),
    usernameHeaders: jsonList(data, 'requestheader-username-headers'),
    uidHeaders: jsonList(data, 'requestheader-uid-headers'),
    groupHeaders: jsonList(data, 'requestheader-group-headers'),
    extraHeaderPrefixes: jsonList(data, 'requestheader-extra-headers-prefix'),
  };
}

/** The subject's CN, from Node's `subject` text (one `KEY=value` per line). */
export function commonName(cert: X509Certificate): string | undefined {
  for (const line of cert.subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3);
  return undefined;
}

/** Why `cert` may not authenticate a front-proxy request, or undefined when it may. */
export function certificateProblem(cert: X509Certificate, tlsVerified: boolean, cfg: FrontProxyConfig, now: Date): string | undefined {
  if (cfg.caCerts.length === 0) return 'no requestheader client CA is configured';
  if (!tlsVerified) return 'client certificate did not verify against the requestheader CA';
  const issuer = cfg.caCerts.find((ca) => {
    try {
      return cert.checkIssued(ca) && cert.verify(ca.publicKey);
    } catch {
      return false;
    }
  });
  if (!issuer) return 'client certificate is not signed by a requestheader CA';
  if (Date.parse(cert.validFrom) > now.getTime() || Date.parse(cert.validTo) < now.getTime()) return 'client certificate is outside its validity period';
  const eku = cert.keyUsage;
  if (eku && eku.length > 0 && !eku.includes(CLIENT_AUTH_OID) && !eku.includes(ANY_EKU_OID)) return 'client certificate does not allow client authentication';
  const cn = commonName(cert);
  if (cfg.allowedNames.length > 0 && !cfg.allowedNames.includes(cn ?? '')) return `client certificate CN ${JSON.stringify(cn ?? '')} is not an allowed front-proxy name`;
  return undefined;
}

/** Header lines by lower-cased name, one entry per line (Node's `headersDistinct`). */
export type DistinctHeaders = { [name: string]: string[] | undefined };

function firstNonEmpty(headers: DistinctHeaders, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = headers[n.toLowerCase()]?.[0]?.trim();
    if (v) return v;
  }
  return undefined;
}

function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    // Go's url.PathUnescape failing leaves the key as sent.
    return encoded;
  }
}

/** The user from the identity headers (only called once the certificate is accepted). */
export function userFromHeaders(headers: DistinctHeaders, cfg: FrontProxyConfig): UserInfo | undefined {
  const name = firstNonEmpty(headers, cfg.usernameHeaders);
  if (!name) return undefined;
  const uid = firstNonEmpty(headers, cfg.uidHeaders);
  const groups: string[] = [];
  for (const h of cfg.groupHeaders) {
    for (const v of headers[h.toLowerCase()] ?? []) {
      const t = v.trim();
      if (t) groups.push(t);
    }
  }
  const extra: { [key: string]: string[] } = {};
  const prefixes = cfg.extraHeaderPrefixes.map((p) => p.toLowerCase());
  for (const [header, values] of Object.entries(headers)) {
    const prefix = prefixes.find((p) => header.startsWith(p));
    if (prefix === undefined || !values) continue;
    const key = unescapeExtraKey(header.slice(prefix.length)).toLowerCase();
    if (key === '') continue;
    (extra[key] ??= []).push(...values);
  }
  return { name, ...(uid ? { uid } : {}), groups, extra };
}

export interface Peer {
  /** The client certificate, when one was presented. */
  cert: X509Certificate | undefined;
  /** TLS verification of it against the configured CA succeeded (`socket.authorized`). */
  tlsVerified: boolean;
}

export function authenticate(peer: Peer, headers: DistinctHeaders, cfg: FrontProxyConfig | undefined, now: Date): AuthnResult {
  if (!cfg) return { ok: false, reason: 'front-proxy configuration not loaded yet' };
  if (!peer.cert) return { ok: false, reason: 'no client certificate' };
  const problem = certificateProblem(peer.cert, peer.tlsVerified, cfg, now);
  if (problem) return { ok: false, reason: problem };
  const user = userFromHeaders(headers, cfg);
  if (!user) return { ok: false, reason: 'no user in the front-proxy username headers' };
  return { ok: true, user };
}
